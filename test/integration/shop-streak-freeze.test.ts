import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { registerUser, type TestUser } from './chat-fixtures.js';
import { PLAIN_MULTIPLIERS, as, balanceOf, claimDaily, day, writeOverrides } from './engagement-fixtures.js';
import { PIN, rid, setPin } from './gifts-fixtures.js';

/**
 * Issue 13 (h13a): the streak freeze over real HTTP and SQLite with a ManualClock. It covers one
 * missed day (used up by the next daily claim), never two; one user holds at most
 * `streakFreeze.maxHeld` unused ones, also when purchases race; an unused one refunds (90%) and
 * frees its place; the ledger audit passes after all of it.
 */
const clock = new ManualClock(day('2026-04-01'));
let srv: TestServer;
let admin: TestUser;

beforeAll(async () => {
  srv = await startTestServer({ clock, env: { ECONOMY_OVERRIDES_FILE: writeOverrides(PLAIN_MULTIPLIERS) } });
  admin = await registerUser(srv, 'admin');
  await srv.ctx.stores.users.setRole(admin.id, 'admin');
});
afterAll(async () => {
  await srv.stop();
});

async function shopper(balance: number): Promise<TestUser> {
  const u = await registerUser(srv, 'freeze');
  await setPin({ ...u, api: as(srv, u) });
  const missing = balance - (await balanceOf(srv, u));
  const res = await as(srv, admin, 'admin').post('/api/tokens/award', { userId: u.id, amount: missing, reason: 'test funding', requestId: rid('fund') });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return u;
}
const buyFreeze = (u: TestUser) => as(srv, u).post('/api/shop/purchase', { itemId: 'streak_freeze', pin: PIN, requestId: rid('freeze') });
const freezesOf = async (u: TestUser) => {
  const owned = (await as(srv, u).get(`/api/shop/owned/${u.id}`)).body as { active: Array<{ id: string; itemId: string }>; expired: Array<{ itemId: string; state: string }> };
  return { held: owned.active.filter((p) => p.itemId === 'streak_freeze'), used: owned.expired.filter((p) => p.itemId === 'streak_freeze' && p.state === 'used').length };
};

describe('streak freeze', () => {
  it('covers one missed day, used up by the next claim; two missed days break the streak and keep the freeze', async () => {
    clock.set(day('2026-04-01'));
    const u = await shopper(500);
    expect((await claimDaily(srv, u)).body.streak).toBe(1);
    clock.set(day('2026-04-02'));
    expect((await claimDaily(srv, u)).body.streak).toBe(2);
    expect((await buyFreeze(u)).status).toBe(201);
    expect((await buyFreeze(u)).status).toBe(201);
    const third = await buyFreeze(u);
    expect([third.status, third.body.error.code, third.body.error.details]).toEqual([409, 'STREAK_FREEZE_LIMIT', { maxHeld: 2 }]);
    const balance = await balanceOf(srv, u);

    // 04-03 missed: the claim on 04-04 continues the streak and uses one freeze.
    clock.set(day('2026-04-04'));
    const kept = await claimDaily(srv, u);
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    expect(kept.body).toMatchObject({ streak: 3, longestStreak: 3, freezeUsed: true });
    expect(await freezesOf(u)).toMatchObject({ used: 1 });
    expect((await freezesOf(u)).held).toHaveLength(1);
    // A used freeze frees its place.
    expect((await buyFreeze(u)).status).toBe(201);
    expect(await balanceOf(srv, u)).toBe(balance + 10 - 30);

    // 04-05 and 04-06 missed: a freeze covers one day only; the streak restarts and no freeze is used.
    clock.set(day('2026-04-07'));
    const broken = await claimDaily(srv, u);
    expect(broken.body).toMatchObject({ streak: 1, longestStreak: 3 });
    expect(broken.body.freezeUsed).toBeUndefined();
    expect((await freezesOf(u)).held).toHaveLength(2);

    // The next day in a row needs no freeze.
    clock.set(day('2026-04-08'));
    const next = await claimDaily(srv, u);
    expect(next.body).toMatchObject({ streak: 2 });
    expect(next.body.freezeUsed).toBeUndefined();
    expect((await freezesOf(u)).held).toHaveLength(2);
  });

  it('an unused freeze refunds 90% and frees its place; a used one does not refund', async () => {
    clock.set(day('2026-05-01'));
    const u = await shopper(300);
    const a = await buyFreeze(u);
    const b = await buyFreeze(u);
    expect([a.status, b.status]).toEqual([201, 201]);
    const refund = await as(srv, u).post('/api/shop/refund', { purchaseId: a.body.purchase.id, pin: PIN });
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    expect(refund.body).toMatchObject({ refunded: 27, rule: 'UNUSED' });
    expect((await buyFreeze(u)).status).toBe(201);
    expect((await buyFreeze(u)).body.error.code).toBe('STREAK_FREEZE_LIMIT');
    // Use one (missed 05-02), then it cannot be refunded.
    expect((await claimDaily(srv, u)).status).toBe(200);
    clock.set(day('2026-05-03'));
    expect((await claimDaily(srv, u)).body).toMatchObject({ streak: 2, freezeUsed: true });
    const owned = (await as(srv, u).get(`/api/shop/owned/${u.id}`)).body as { expired: Array<{ id: string; itemId: string; state: string }> };
    const used = owned.expired.find((p) => p.itemId === 'streak_freeze' && p.state === 'used')!;
    const refused = await as(srv, u).post('/api/shop/refund', { purchaseId: used.id, pin: PIN });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'REFUND_NOT_ALLOWED']);
  });

  it('purchases racing for the held bound: exactly maxHeld succeed, the rest pay nothing', async () => {
    clock.set(day('2026-06-01'));
    const u = await shopper(1000);
    const results = await Promise.all(Array.from({ length: 6 }, () => buyFreeze(u)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(results.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(Array(4).fill('STREAK_FREEZE_LIMIT'));
    expect(await balanceOf(srv, u)).toBe(1000 - 60);
    expect((await srv.ctx.ledger.audit()).ok).toBe(true);
  });
});
