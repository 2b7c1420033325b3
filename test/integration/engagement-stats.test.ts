import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { giftEntry, spendEntry } from '../../server/ledger/entries.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { registerUser, type TestUser } from './chat-fixtures.js';
import { PLAIN_MULTIPLIERS, as, claimDaily, day, fund, registerAdmin, writeOverrides } from './engagement-fixtures.js';

/**
 * Earning and spending statistics over the real ledger, with a ManualClock placing entries on
 * both sides of each UTC window edge: today (from 00:00), this ISO week (from Monday 00:00),
 * this month (from the 1st 00:00), all time. Multipliers are off so amounts are the bases.
 */
const clock = new ManualClock(day('2025-12-31'));
let srv: TestServer;
let admin: TestUser;
let u: TestUser;
let other: TestUser;

beforeAll(async () => {
  srv = await startTestServer({ clock, env: { ECONOMY_OVERRIDES_FILE: writeOverrides(PLAIN_MULTIPLIERS), ADMIN_USERNAMES: 'adm_stats' } });
  admin = await registerAdmin(srv, 'adm_stats');
  u = await registerUser(srv, 'stats'); // registration 10, 2025-12-31
  other = await registerUser(srv, 'other');
  const claimAt = async (iso: string) => {
    clock.set(iso);
    expect((await claimDaily(srv, u)).status).toBe(200);
  };
  await claimAt(day('2025-12-31')); // last month, last year
  await claimAt(day('2026-01-05')); // this month, last ISO week (Mon 5 .. Sun 11)
  await claimAt('2026-01-12T00:00:00.000Z'); // first instant of this ISO week
  await claimAt('2026-01-13T23:59:59.999Z'); // last instant of yesterday
  await claimAt('2026-01-14T00:00:00.000Z'); // first instant of today
  clock.set(day('2026-01-10'));
  await srv.ctx.ledger.post(spendEntry(u.id, 7, { idempotencyKey: 'test:spend:1', activity: 'shop:chat_color' }));
  clock.set(day('2026-01-14'));
  await fund({ ...admin, api: as(srv, admin, 'admin') }, u.id, 40); // a fresh token: the clock moved past the login's
  await srv.ctx.ledger.post(spendEntry(u.id, 3, { idempotencyKey: 'test:spend:2', activity: 'shop:chat_color' }));
  await srv.ctx.ledger.post(giftEntry(u.id, other.id, 5, { idempotencyKey: 'test:gift:1' }));
  clock.set('2026-01-14T23:59:59.999Z');
});
afterAll(async () => {
  await srv.stop();
});

describe('GET /api/tokens/earning-stats/:id', () => {
  it('sums earnings by activity per UTC window', async () => {
    const res = await as(srv, u).get(`/api/tokens/earning-stats/${u.id}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      userId: u.id,
      at: '2026-01-14T23:59:59.999Z',
      today: { daily_login: 10, admin_award: 40 },
      thisWeek: { daily_login: 30, admin_award: 40 },
      thisMonth: { daily_login: 40, admin_award: 40 },
      allTime: { daily_login: 50, admin_award: 40, registration: 10 },
      totals: { today: 50, thisWeek: 70, thisMonth: 80, allTime: 100 },
    });
  });
});

describe('GET /api/tokens/spending-stats/:id', () => {
  it('sums spending by activity / category per UTC window', async () => {
    const res = await as(srv, u).get(`/api/tokens/spending-stats/${u.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      today: { 'shop:chat_color': 3, gift: 5 },
      thisWeek: { 'shop:chat_color': 3, gift: 5 },
      thisMonth: { 'shop:chat_color': 10, gift: 5 },
      allTime: { 'shop:chat_color': 10, gift: 5 },
      totals: { today: 8, thisWeek: 8, thisMonth: 15, allTime: 15 },
    });
    // The recipient spent nothing.
    expect((await as(srv, other).get(`/api/tokens/spending-stats/${other.id}`)).body.totals.allTime).toBe(0);
  });
});

describe('authorization', () => {
  it.each(['earning-stats', 'spending-stats'])('%s: self or admin; 403 for others, 404 unknown, 401 anonymous', async (path) => {
    const adminApi = as(srv, admin, 'admin');
    expect((await adminApi.get(`/api/tokens/${path}/${u.id}`)).status).toBe(200);
    const forbidden = await as(srv, other).get(`/api/tokens/${path}/${u.id}`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    expect((await adminApi.get(`/api/tokens/${path}/01UNKNOWN`)).body.error.code).toBe('USER_NOT_FOUND');
    expect((await client(srv.url).get(`/api/tokens/${path}/${u.id}`)).status).toBe(401);
  });
});
