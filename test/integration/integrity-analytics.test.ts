import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { ManualClock } from '../../server/lib/clock.js';
import { earnEntry } from '../../server/ledger/entries.js';
import { registerUser } from './chat-fixtures.js';
import { as } from './engagement-fixtures.js';
import { makeAdmin } from './gifts-fixtures.js';
import { DAY_MS, HOUR_MS } from './integrity-fixtures.js';

/**
 * Issue 9, row 13: `tokensPerUserPerDay` divided by 7 days whatever the journal covered, so a
 * server one day old showed a seventh of the real rate. It now divides by the observed days.
 */
const clock = new ManualClock('2026-03-02T10:00:00.000Z');
let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer({ clock });
});
afterAll(async () => {
  await srv.stop();
});

describe('tokensPerUserPerDay over a young journal', () => {
  it('divides by the days since the first entry (at least one), then by the 7-day window', async () => {
    const admin = await makeAdmin(srv);
    const users = [await registerUser(srv, 'a'), await registerUser(srv, 'b')];
    const R = (await srv.ctx.ledger.account(users[0]!.id)).balance;
    clock.advance(36 * HOUR_MS);
    for (const u of users) expect((await srv.ctx.ledger.post(earnEntry(u.id, 100, { idempotencyKey: `earn:t:${u.id}`, activity: 'send_message' }))).status).toBe('posted');
    const read = async () => (await as(srv, admin, 'admin').get('/api/admin/analytics')).body.users.tokensPerUserPerDay;
    // Three accounts (admin included) earned 3R + 200 over 1.5 observed days.
    expect(await read()).toEqual({ windowDays: 1.5, earned: 3 * R + 200, value: Math.round(((3 * R + 200) / 3 / 1.5) * 100) / 100 });

    clock.advance(6 * DAY_MS); // 7.5 days after the first entry: the full window, registrations out of it
    expect(await read()).toEqual({ windowDays: 7, earned: 200, value: Math.round((200 / 3 / 7) * 100) / 100 });
  });
});
