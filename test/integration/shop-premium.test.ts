import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { ManualClock } from '../../server/lib/clock.js';
import { registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { as } from './engagement-fixtures.js';
import { fundTo, giftUser, makeAdmin, overridesFile, sendGift } from './gifts-fixtures.js';
import { bought, refund } from './shop-fixtures.js';

/**
 * The premium items of the `recommended` catalogue over real HTTP and SQLite, with a ManualClock
 * for their 30 days: tier_upgrade raises the effective tier one step (badge, benefits, the tier
 * route, summaries), priority_support flags the account and puts it on the operators' list; both
 * end at expiry and on refund.
 */
const clock = new ManualClock('2026-06-01T09:00:00.000Z');
let srv: TestServer;
let admin: TestUser;

beforeAll(async () => {
  // The seed's balance basis, so spending the balance drops the earned tier and the upgrade alone shows.
  srv = await startTestServer({ clock, env: { ECONOMY_PRESET: 'recommended', ECONOMY_OVERRIDES_FILE: overridesFile({ tiers: { basis: 'balance' }, gifts: { receivedHoldHours: 0, newAccountDays: 0 } }) } });
  admin = await makeAdmin(srv);
});
const pool = socketPool();
afterAll(async () => {
  pool.closeAll();
  await srv.stop();
});

const DAY = 24 * 3_600_000;

async function buyer(balance: number): Promise<TestUser> {
  const user = await giftUser(srv, 'prem');
  await fundTo({ ...admin, api: as(srv, admin, 'admin') }, { ...user, api: as(srv, user) }, balance);
  return user;
}

const tierOf = async (viewer: TestUser, of: TestUser) => {
  const res = await as(srv, viewer).get(`/api/tokens/tier/${of.id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { tier: string; badge: string; earnedTier: string; tierUpgrades: number; benefits: { fileSizeMb: number } };
};

describe('tier_upgrade', () => {
  it('raises the effective tier one step for 30 days: tier route, badge in summaries, upload limit', async () => {
    const u = await buyer(500);
    await bought(srv, u, 'tier_upgrade'); // balance 0: earned bronze
    const other = await registerUser(srv, 'look');
    expect(await tierOf(u, u)).toMatchObject({ tier: 'silver', badge: '🥈', earnedTier: 'bronze', tierUpgrades: 1, benefits: { fileSizeMb: 25 } });
    expect(await tierOf(other, u)).toMatchObject({ tier: 'silver', earnedTier: 'bronze' });
    expect((await as(srv, other).get(`/api/users/${u.id}`)).body.user).toMatchObject({ tier: 'silver', badge: '🥈' });
    const limit = await srv.ctx.fileService.limits.limitFor(u.id);
    expect(limit).toMatchObject({ fileBytesMax: 25 * 1024 * 1024 });

    clock.advance(30 * DAY - 1);
    expect((await tierOf(u, u)).tier).toBe('silver');
    clock.advance(1);
    expect(await tierOf(u, u)).toMatchObject({ tier: 'bronze', tierUpgrades: 0, badge: '🥉' });
    expect((await as(srv, other).get(`/api/users/${u.id}`)).body.user).toMatchObject({ tier: 'bronze' });
    expect(await srv.ctx.fileService.limits.limitFor(u.id)).toMatchObject({ fileBytesMax: 10 * 1024 * 1024 });
  });

  it('upgrades stack one step each; a refund ends one at once; platinum stays platinum', async () => {
    const u = await buyer(1000);
    const first = await bought(srv, u, 'tier_upgrade');
    await bought(srv, u, 'tier_upgrade'); // balance 0: earned bronze
    expect(await tierOf(u, u)).toMatchObject({ earnedTier: 'bronze', tierUpgrades: 2, tier: 'gold', badge: '🥇' });
    clock.advance(2 * 3_600_000); // the 50% window: the refund gives back 250, earned silver
    const res = await refund(srv, u, first);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.refunded).toBe(250);
    expect(await tierOf(u, u)).toMatchObject({ earnedTier: 'silver', tierUpgrades: 1, tier: 'gold' });
    await fundTo({ ...admin, api: as(srv, admin, 'admin') }, { ...u, api: as(srv, u) }, 1000);
    expect(await tierOf(u, u)).toMatchObject({ earnedTier: 'platinum', tierUpgrades: 1, tier: 'platinum', badge: '💎' });
  });
});

describe('tier_upgrade and gifts', () => {
  it('the daily gift allowance follows the effective tier', async () => {
    const to = await registerUser(srv, 'to');
    const open = (x: TestUser) => pool.open(srv, { ...x, token: srv.ctx.tokens.sign({ userId: x.id, username: x.username, role: 'user' }) });
    const plain = await buyer(99); // bronze: allowance 50
    const refused = await sendGift(await open(plain), { toUserId: to.id, amount: 60 });
    expect(refused, JSON.stringify(refused)).toMatchObject({ ok: false, error: { code: 'GIFT_DAILY_ALLOWANCE_EXCEEDED', details: { tier: 'bronze' } } });
    const u = await buyer(599);
    await bought(srv, u, 'tier_upgrade'); // balance 99: earned bronze, effective silver (allowance 200)
    const ack = await sendGift(await open(u), { toUserId: to.id, amount: 60 });
    expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true });
  });

  it("the gift's view carries both parties' effective tiers, the same summaries users see elsewhere", async () => {
    // The view is built from what the gift already read (issue 16): records, the post's accounts
    // and the allowance check's tier steps. It must equal the summary resolver's answer.
    const open = (x: TestUser) => pool.open(srv, { ...x, token: srv.ctx.tokens.sign({ userId: x.id, username: x.username, role: 'user' }) });
    const from = await buyer(599);
    await bought(srv, from, 'tier_upgrade'); // balance 99: earned bronze, effective silver
    const to = await buyer(500);
    await bought(srv, to, 'tier_upgrade'); // balance 0: earned bronze, effective silver
    const ack = await sendGift(await open(from), { toUserId: to.id, amount: 60 });
    expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true });
    const gift = (ack as { data: { gift: { from: unknown; to: unknown } } }).data.gift;
    expect(gift.from).toMatchObject({ id: from.id, tier: 'silver', badge: '🥈' });
    expect(gift.to).toMatchObject({ id: to.id, tier: 'silver', badge: '🥈' });
    const summaries = await srv.ctx.userSummaries.many([from.id, to.id]);
    expect(gift.from).toEqual(summaries.get(from.id));
    expect(gift.to).toEqual(summaries.get(to.id));
  });
});

describe('priority_support', () => {
  it('flags the account and lists it for admins until it ends; a refund removes it', async () => {
    const u = await buyer(300);
    const v = await buyer(300);
    expect((await as(srv, u).get('/api/users/me')).body.prioritySupport).toBeNull();
    const purchase = await bought(srv, u, 'priority_support');
    const until = new Date(clock.now().getTime() + 30 * DAY).toISOString();
    clock.advance(2 * 3_600_000); // past the full-refund hour: v's refund below pays 50%
    await bought(srv, v, 'priority_support');
    expect((await as(srv, u).get('/api/users/me')).body.prioritySupport).toEqual({ until });

    const list = async () => {
      const res = await as(srv, admin, 'admin').get('/api/admin/support/priority');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.users as Array<{ userId: string; username: string; until: string }>).filter((x) => x.userId === u.id || x.userId === v.id);
    };
    expect(await list()).toEqual([
      { userId: u.id, username: u.username, until },
      { userId: v.id, username: v.username, until: new Date(clock.now().getTime() + 30 * DAY).toISOString() },
    ]);
    const denied = await as(srv, u).get('/api/admin/support/priority');
    expect(denied.status).toBe(403);

    expect((await refund(srv, v, (await srv.ctx.purchases.listByUser(v.id, 10))[0]!.id)).status).toBe(200);
    expect((await list()).map((x) => x.userId)).toEqual([u.id]);
    expect((await as(srv, v).get('/api/users/me')).body.prioritySupport).toBeNull();

    clock.advance(30 * DAY);
    expect(await list()).toEqual([]);
    expect((await as(srv, u).get('/api/users/me')).body.prioritySupport).toBeNull();
    expect((await srv.ctx.purchases.findById(purchase))?.refundedAt).toBeNull();
  });
});
