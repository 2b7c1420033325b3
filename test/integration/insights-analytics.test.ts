import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { earnEntry, giftEntry, refundEntry, spendEntry, type DraftInput } from '../../server/ledger/entries.js';
import { calculateUserTier, tierBasisAmount } from '../../server/economy/rules/tiers.js';
import { client } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { registerUser, type TestUser } from './chat-fixtures.js';
import { makeAdmin, rid } from './gifts-fixtures.js';

/**
 * GET /api/admin/analytics over real HTTP against a scripted economy: every number below is
 * worked out by hand from the script (R = what registration paid each of the five users).
 */
let srv: TestServer;
const clock = new ManualClock('2026-03-02T10:00:00.000Z');
let admin: TestUser;
let a: TestUser, b: TestUser, c: TestUser, d: TestUser;
let R = 0;

async function post(draft: DraftInput): Promise<void> {
  expect((await srv.ctx.ledger.post(draft)).status).toBe('posted');
}

/** Tokens expire on the manual clock too: each request signs a fresh one for the user. */
function api(user: TestUser, role: 'admin' | 'user' = 'user') {
  return client(srv.url, srv.ctx.tokens.sign({ userId: user.id, username: user.username, role }));
}

async function award(to: TestUser, amount: number): Promise<void> {
  const res = await api(admin, 'admin').post('/api/tokens/award', { userId: to.id, amount, reason: 'scripted', requestId: rid('award') });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

const key = (label: string) => rid(label);

beforeAll(async () => {
  srv = await startTestServer({ clock });
  // Monday 2026-03-02 10:00 UTC: five users register.
  admin = await makeAdmin(srv);
  [a, b, c, d] = [await registerUser(srv, 'a'), await registerUser(srv, 'b'), await registerUser(srv, 'c'), await registerUser(srv, 'd')];
  const paid = Object.values(await srv.ctx.ledger.accounts([admin.id, a.id, b.id, c.id, d.id])).map((x) => x.balance);
  R = paid[0]!;
  expect(paid).toEqual([R, R, R, R, R]);
  await award(a, 300);
  // Thursday 03-05: b earns by chatting, a buys a frame.
  clock.set('2026-03-05T10:00:00.000Z');
  await post(earnEntry(b.id, 40, { idempotencyKey: key('m'), activity: 'send_message' }));
  await post(spendEntry(a.id, 50, { idempotencyKey: key('s'), activity: 'shop:frame' }));
  // Monday 03-09 20:00: inside the last 7 days, outside the last 24 hours.
  clock.set('2026-03-09T20:00:00.000Z');
  await post(giftEntry(a.id, c.id, 30, { idempotencyKey: key('g') }));
  await post(earnEntry(c.id, 20, { idempotencyKey: key('l'), activity: 'daily_login' }));
  // Tuesday 03-10 01:00: today (UTC).
  clock.set('2026-03-10T01:00:00.000Z');
  await post(earnEntry(d.id, 6, { idempotencyKey: key('m'), activity: 'send_message' }));
  await award(b, 100);
  await post(spendEntry(b.id, 10, { idempotencyKey: key('s'), activity: 'shop:badge' }));
  await post(giftEntry(b.id, d.id, 5, { idempotencyKey: key('g') }));
  await post(refundEntry(b.id, 4, { idempotencyKey: key('r') }));
  clock.set('2026-03-10T09:00:00.000Z');
});

afterAll(async () => {
  await srv.stop();
});

describe('GET /api/admin/analytics/earnings', () => {
  it('is for admins only and refuses a bad span with a typed error', async () => {
    expect((await client(srv.url).get('/api/admin/analytics/earnings')).status).toBe(401);
    const user = await api(a).get('/api/admin/analytics/earnings');
    expect(user.status).toBe(403);
    expect(user.body.error.code).toBe('FORBIDDEN');
    for (const days of ['0', '91', 'x']) {
      const bad = await api(admin, 'admin').get(`/api/admin/analytics/earnings?days=${days}`);
      expect(bad.status, days).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('gives per-day earning by activity for the last N UTC days, zeros on quiet days', async () => {
    // Runs before the tier test below awards more: the script's numbers only.
    const res = await api(admin, 'admin').get('/api/admin/analytics/earnings?days=10');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.days).toEqual(['03-01', '03-02', '03-03', '03-04', '03-05', '03-06', '03-07', '03-08', '03-09', '03-10'].map((d) => `2026-${d}`));
    expect(res.body.byActivity).toEqual({
      registration: [0, 5 * R, 0, 0, 0, 0, 0, 0, 0, 0],
      admin_award: [0, 300, 0, 0, 0, 0, 0, 0, 0, 100],
      send_message: [0, 0, 0, 0, 40, 0, 0, 0, 0, 6],
      daily_login: [0, 0, 0, 0, 0, 0, 0, 0, 20, 0],
    });
    expect(res.body.totals).toEqual([0, 5 * R + 300, 0, 0, 40, 0, 0, 0, 20, 106]);
    // The default span is 14 days; a 2-day span leaves the older days out.
    expect((await api(admin, 'admin').get('/api/admin/analytics/earnings')).body.days).toHaveLength(14);
    expect((await api(admin, 'admin').get('/api/admin/analytics/earnings?days=2')).body.byActivity).toEqual({ daily_login: [20, 0], send_message: [0, 6], admin_award: [0, 100] });
  });
});

describe('GET /api/admin/analytics', () => {
  it('is for admins only: anonymous 401, a user 403, a bad token 401', async () => {
    const anonymous = await client(srv.url).get('/api/admin/analytics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    const user = await api(a).get('/api/admin/analytics');
    expect(user.status).toBe(403);
    expect(user.body.error.code).toBe('FORBIDDEN');
    expect((await client(srv.url, 'not-a-token').get('/api/admin/analytics')).status).toBe(401);
  });

  it('reports supply, user and activity metrics that match the scripted economy', async () => {
    const res = await api(admin, 'admin').get('/api/admin/analytics');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const m = res.body;
    expect(m.at).toBe('2026-03-10T09:00:00.000Z');
    // Minted: 5R registrations + awards 300 + 100 + earnings 40 + 20 + 6. Burned: 50 + 10 - 4 refunded.
    expect(m.supply).toMatchObject({ totalIssued: 5 * R + 466, totalBurned: 56, inCirculation: 5 * R + 410 });
    // Last 24h (from 03-09 09:00): issued 20 + 6 + 100, burned 10 - 4; supply then 5R + 290.
    expect(m.supply.inflation.last24h).toEqual({
      since: '2026-03-09T09:00:00.000Z',
      supplyAtStart: 5 * R + 290,
      issued: 126,
      burned: 6,
      netNew: 120,
      ratePct: Math.round((120 / (5 * R + 290)) * 10_000) / 100,
    });
    // Last 7 days (from 03-03 09:00): issued 40 + 20 + 6 + 100, burned 50 + 6; supply then 5R + 300.
    expect(m.supply.inflation.last7d).toEqual({
      since: '2026-03-03T09:00:00.000Z',
      supplyAtStart: 5 * R + 300,
      issued: 166,
      burned: 56,
      netNew: 110,
      ratePct: Math.round((110 / (5 * R + 300)) * 10_000) / 100,
    });
    // Balances: admin R, a R+220, b R+129, c R+50, d R+11.
    expect(m.users).toMatchObject({ accounts: 5, averageBalance: R + 82, medianBalance: R + 50 });
    expect(m.users.tokensPerUserPerDay).toEqual({ windowDays: 7, earned: 166, value: Math.round((166 / 5 / 7) * 100) / 100 });
    expect(m.activity).toEqual({
      earningByActivity: { registration: 5 * R, admin_award: 400, send_message: 46, daily_login: 20 },
      spendingByCategory: { 'shop:frame': 50, 'shop:badge': 10 },
      giftVolume: { allTime: 35, today: 5 },
      activeEarnersToday: 2,
    });
    // The journal agrees with itself: the audit's supply is the same.
    expect(await srv.ctx.ledger.audit()).toMatchObject({ ok: true, minted: m.supply.totalIssued, burned: m.supply.totalBurned, userBalanceSum: m.supply.inCirculation });
  });

  it('counts users per tier on the configured basis', async () => {
    const config = srv.ctx.economy.current;
    const accounts = await srv.ctx.ledger.accounts([admin.id, a.id, b.id, c.id, d.id]);
    const expected = { bronze: 0, silver: 0, gold: 0, platinum: 0 };
    for (const acc of Object.values(accounts)) expected[calculateUserTier(tierBasisAmount({ balance: acc.balance, lifetimeEarned: acc.totalEarned }, config), config)]++;
    const res = await api(admin, 'admin').get('/api/admin/analytics');
    expect(res.body.users.tierDistribution).toEqual({ basis: config.tiers.basis, counts: expected });
    // Pushing one user over the platinum threshold moves exactly one count.
    const t = config.tiers.thresholds;
    const before = res.body.users.tierDistribution.counts;
    const needed = t.platinum - tierBasisAmount({ balance: accounts[c.id]!.balance, lifetimeEarned: accounts[c.id]!.totalEarned }, config);
    const fromTier = calculateUserTier(tierBasisAmount({ balance: accounts[c.id]!.balance, lifetimeEarned: accounts[c.id]!.totalEarned }, config), config);
    await award(c, needed);
    const after = (await api(admin, 'admin').get('/api/admin/analytics')).body.users.tierDistribution.counts;
    expect(after).toEqual({ ...before, [fromTier]: before[fromTier] - 1, platinum: before.platinum + 1 });
  });
});
