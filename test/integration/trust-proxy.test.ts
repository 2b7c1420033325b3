import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';

/** TRUST_PROXY decides whose address the referral and multi-account rules see. */
describe('client address behind a proxy', () => {
  let trusting: TestServer;
  let direct: TestServer;
  beforeAll(async () => {
    [trusting, direct] = await Promise.all([
      startTestServer({ env: { TRUST_PROXY: 'loopback' } }),
      startTestServer(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([trusting?.stop(), direct?.stop()]);
  });

  async function registeredIp(server: TestServer, username: string): Promise<string | null> {
    const res = await request(server.url, 'POST', '/api/auth/register', {
      body: { username, password: 'password123' },
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    expect(res.status).toBe(201);
    const user = await server.ctx.stores.users.findById(res.body.user.id);
    return user!.registrationIp;
  }

  it('takes the forwarded address from a trusted proxy', async () => {
    expect(await registeredIp(trusting, 'proxied_user')).toBe('203.0.113.7');
  });

  it('ignores X-Forwarded-For by default, so clients cannot pick their own address', async () => {
    expect(await registeredIp(direct, 'direct_user')).toMatch(/127\.0\.0\.1$/);
  });
});
