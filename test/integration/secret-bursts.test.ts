import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { PASSWORD, registerUser } from './chat-fixtures.js';

/**
 * Lockouts against a burst: 40 guesses sent at once, the right secret last. Checked one at a
 * time, the lockout stops the burst after its limit, so the right secret is never reached.
 */
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ redis: true });
});
afterAll(async () => {
  await srv.stop();
});

const codes = (results: Array<{ status: number; body: any }>) => results.map((r) => r.body?.error?.code ?? String(r.status));

describe('parallel guessing', () => {
  it('a burst of PIN guesses meets the lockout one by one: at most 4 judged wrong, then locked, the right PIN never reached', async () => {
    const sender = await registerUser(srv, 'Burst');
    const other = await registerUser(srv, 'Target');
    expect((await sender.api.post('/api/tokens/pin', { password: PASSWORD, pin: '7391' })).status).toBe(200);
    const guesses = Array.from({ length: 39 }, (_, i) => String(1000 + i)).concat('7391');
    const results = await Promise.all(
      guesses.map((pin, i) => sender.api.post('/api/tokens/gift', { toUserId: other.id, amount: 1, pin, requestId: `burst-${i}` })),
    );
    const seen = codes(results);
    expect(seen.filter((c) => c === 'PIN_INVALID').length).toBeLessThanOrEqual(4);
    expect(seen.filter((c) => c === 'PIN_LOCKED').length).toBeGreaterThanOrEqual(35);
    expect(seen.at(-1)).toBe('PIN_LOCKED');
  });

  it('a burst of passwords on the PIN route is judged one by one against the same lockout', async () => {
    const user = await registerUser(srv, 'PwBurst');
    const tries = Array.from({ length: 29 }, (_, i) => `wrong-password-${i}`).concat(PASSWORD);
    const results = await Promise.all(tries.map((password) => user.api.post('/api/tokens/pin', { password, pin: '1111' })));
    const seen = codes(results);
    expect(seen.filter((c) => c === 'INVALID_CREDENTIALS').length).toBeLessThanOrEqual(4);
    expect(seen.at(-1)).toBe('PIN_LOCKED');
  });

  it('a burst of logins meets the login limit one by one: the right password last is refused', async () => {
    const user = await registerUser(srv, 'LoginBurst');
    const tries = Array.from({ length: 39 }, (_, i) => `nope-${i}-password`).concat(PASSWORD);
    const results = await Promise.all(tries.map((password) => request(srv.url, 'POST', '/api/auth/login', { body: { username: user.username, password } })));
    const seen = codes(results);
    expect(seen.filter((c) => c === 'INVALID_CREDENTIALS').length).toBeLessThanOrEqual(10);
    expect(seen.at(-1)).toBe('RATE_LIMITED');
  });
});
