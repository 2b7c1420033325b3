import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, uniquePrefix, type TestServer } from '../support/server.js';
import { wireFence, type NodeProcess } from '../support/node-process.js';
import { useNodePair } from '../support/node-pair.js';
import { client } from '../support/http.js';
import { collect } from '../support/socket.js';
import { fence } from '../support/fence.js';
import { ManualClock } from '../../server/lib/clock.js';
import { createRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { giftUser, makeAdmin, overridesFile, sendGift } from './gifts-fixtures.js';
import { DAY_MS, freshUser, HOUR_MS } from './integrity-fixtures.js';

/**
 * Issue 9, row 2 (tiers that cannot be borrowed) and vesting against pass-back farming. The alt
 * gifts 1,000 to the owner, the owner tries the platinum benefits, and gives the 1,000 back: the
 * owner's tier never moves (no tier:changed), no benefit is unlocked, and the public badge shows
 * the earned tier whatever the balance. With vesting on, the pass-back itself is refused.
 * On two nodes, node B is a separate process (server/main.ts, issue 15) with the same economy
 * settings, reached only over HTTP and sockets; balances and the audit are read on node A.
 */

async function rowTwoCast(srv: TestServer, admin: TestUser) {
  const owner = await giftUser(srv, 'owner');
  const alt = await giftUser(srv, 'alt', { admin, balance: 1000 });
  return { owner, alt };
}

describe('row 2 on the embedded default (SQLite, tiers.basis lifetimeEarned)', () => {
  let srv: TestServer;
  let admin: TestUser;
  const pool = socketPool();
  beforeAll(async () => {
    srv = await startTestServer();
    admin = await makeAdmin(srv);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    await srv.stop();
  });

  it('a gift of 1,000 and its pass-back move no tier, unlock no benefit, and the badge shows no balance band', async () => {
    const { owner, alt } = await rowTwoCast(srv, admin);
    const ownerSocket = await pool.open(srv, owner);
    const altSocket = await pool.open(srv, alt);
    const ownerTiers = collect(ownerSocket, 'tier:changed');
    const altTiers = collect(altSocket, 'tier:changed');

    expect(await sendGift(altSocket, { toUserId: owner.id, amount: 1000 })).toMatchObject({ ok: true });
    expect((await srv.ctx.ledger.account(owner.id)).balance).toBeGreaterThanOrEqual(1000);

    // Still bronze: the tier route, the badge others see, and every benefit derived from the tier.
    const tier = await owner.api.get(`/api/tokens/tier/${owner.id}`);
    expect(tier.body).toMatchObject({ tier: 'bronze', basis: 'lifetimeEarned' });
    const seen = await alt.api.get(`/api/users/${owner.id}`);
    expect(seen.body.user).toMatchObject({ tier: 'bronze', badge: srv.ctx.economy.current.tiers.benefits.bronze.badge });
    expect((await owner.api.post('/api/rooms', { name: 'secret', visibility: 'private' })).body.error).toMatchObject({ code: 'PRIVATE_ROOMS_NOT_ALLOWED' });
    const bronze = srv.ctx.economy.current.tiers.benefits.bronze;
    expect(await srv.ctx.fileService.limits.limitFor(owner.id)).toMatchObject({ fileBytesMax: Math.floor(bronze.fileSizeMb * 1024 * 1024) });

    // The pass-back: the gift allowance is the owner's earned tier's too, so 1,000 cannot even go back at once.
    const allowance = bronze.giftLimitDaily ?? 0;
    expect(await sendGift(ownerSocket, { toUserId: alt.id, amount: 1000 })).toMatchObject({ ok: false, error: { code: 'GIFT_DAILY_ALLOWANCE_EXCEEDED', details: { tier: 'bronze' } } });
    expect(await sendGift(ownerSocket, { toUserId: alt.id, amount: allowance })).toMatchObject({ ok: true });
    await fence(srv, ownerSocket, altSocket);
    expect(ownerTiers).toEqual([]);
    expect(altTiers).toEqual([]);
    expect((await srv.ctx.ledger.audit()).ok).toBe(true);
  });

  it("room rewards count as received, not earned: an alt's rewards raise no tier", async () => {
    const owner = await registerUser(srv, 'rwowner');
    const alt = await registerUser(srv, 'rwalt');
    const room = await createRoom(owner);
    const altSocket = await pool.open(srv, alt);
    const ack = await new Promise<unknown>((resolve) => altSocket.emit('room:join', { roomId: room.id }, resolve));
    expect(ack).toMatchObject({ ok: true });
    const ownerSocket = await pool.open(srv, owner);
    const earnedBefore = (await srv.ctx.ledger.account(alt.id)).totalEarned;
    const reward = await new Promise<unknown>((resolve) => ownerSocket.emit('room:reward', { roomId: room.id, userId: alt.id, amount: 50, reason: 'r', requestId: `rw-${alt.id}` }, resolve));
    expect(reward).toMatchObject({ ok: true });
    const after = await srv.ctx.ledger.account(alt.id);
    expect(after.totalEarned).toBe(earnedBefore);
    expect(after.totalReceived).toBe(50);
  });
});

describe('vesting and the new-account allowance (recommended values)', () => {
  const clock = new ManualClock('2026-04-06T09:00:00.000Z');
  let srv: TestServer;
  let admin: TestUser;
  const pool = socketPool();
  beforeAll(async () => {
    srv = await startTestServer({ clock, redis: { prefix: uniquePrefix() }, env: { ECONOMY_PRESET: 'recommended' } });
    admin = await makeAdmin(srv);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    await srv.stop();
  });

  it('received tokens can be gifted onward only after the hold; own tokens at once', async () => {
    const { receivedHoldHours, newAccountDays } = srv.ctx.economy.current.gifts;
    expect(receivedHoldHours).toBe(72);
    const giver = await giftUser(srv, 'giver', { admin, balance: 100 });
    const middle = await giftUser(srv, 'middle');
    const third = await registerUser(srv, 'third');
    clock.advance(newAccountDays * DAY_MS); // past the new-account allowance, to see vesting alone
    const giverSocket = await pool.open(srv, freshUser(srv, giver));
    const first = await sendGift(giverSocket, { toUserId: middle.id, amount: 40 });
    expect(first, JSON.stringify(first)).toMatchObject({ ok: true });

    const middleSocket = await pool.open(srv, freshUser(srv, middle));
    const own = (await srv.ctx.ledger.account(middle.id)).balance - 40;
    const refused = await sendGift(middleSocket, { toUserId: third.id, amount: own + 1 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'GIFT_TOKENS_VESTING', details: { giftable: own, vestingTokens: 40, holdHours: 72 } } });
    // Its own (earned) tokens may go at once; nothing of the refused gift was written or counted.
    expect(await sendGift(middleSocket, { toUserId: third.id, amount: 30 })).toMatchObject({ ok: true });
    expect(await srv.ctx.counters.budgets.usage({ scope: 'gift', key: middle.id, at: clock.now() })).toEqual({ count: 1, tokens: 30 });

    clock.advance(receivedHoldHours * HOUR_MS + 1);
    const later = await pool.open(srv, freshUser(srv, middle));
    expect(await sendGift(later, { toUserId: third.id, amount: own - 30 + 10 })).toMatchObject({ ok: true });
  });

  it('an account younger than newAccountDays gifts at most newAccountDailyTokens a day, whatever its tier', async () => {
    const { newAccountDailyTokens } = srv.ctx.economy.current.gifts;
    const fresh = await giftUser(srv, 'young', { admin: freshUser(srv, admin), balance: 1200 }); // admin-awarded: platinum by earnings
    const to = await registerUser(srv, 'to');
    const socket = await pool.open(srv, freshUser(srv, fresh));
    expect(await sendGift(socket, { toUserId: to.id, amount: newAccountDailyTokens })).toMatchObject({ ok: true });
    expect(await sendGift(socket, { toUserId: to.id, amount: 1 })).toMatchObject({ ok: false, error: { code: 'GIFT_NEW_ACCOUNT_ALLOWANCE_EXCEEDED', details: { allowance: newAccountDailyTokens, remainingTokens: 0 } } });
  });
});

describe('the seed literal rule stays selectable (tiers.basis balance)', () => {
  let srv: TestServer;
  let admin: TestUser;
  const pool = socketPool();
  beforeAll(async () => {
    srv = await startTestServer({ env: { ECONOMY_OVERRIDES_FILE: overridesFile({ tiers: { basis: 'balance' } }) } });
    admin = await makeAdmin(srv);
  });
  afterAll(async () => {
    pool.closeAll();
    await srv.stop();
  });

  it('on the balance basis the same gift does move the tier (what operators choose it for)', async () => {
    const { owner, alt } = await rowTwoCast(srv, admin);
    const altSocket = await pool.open(srv, alt);
    expect(await sendGift(altSocket, { toUserId: owner.id, amount: 1000 })).toMatchObject({ ok: true });
    expect((await owner.api.get(`/api/tokens/tier/${owner.id}`)).body).toMatchObject({ tier: 'platinum', basis: 'balance' });
  });
});

describe('rows 2 and vesting on two nodes over Redis', () => {
  let a: TestServer;
  let b: NodeProcess;
  let admin: TestUser;
  const pool = socketPool();
  useNodePair({ ECONOMY_OVERRIDES_FILE: overridesFile({ gifts: { receivedHoldHours: 72 } }) }, async (nodes) => {
    ({ a, b } = nodes);
    admin = await makeAdmin(a);
  });
  afterEach(() => pool.closeAll());

  it('a gift through node A lends no tier seen on node B, and B refuses to pass the received tokens on', async () => {
    const { owner, alt } = await rowTwoCast(a, admin);
    const ownerOnB = await pool.open(b, owner);
    const tierChanges = collect(ownerOnB, 'tier:changed');
    expect(await sendGift(await pool.open(a, alt), { toUserId: owner.id, amount: 1000 })).toMatchObject({ ok: true });
    const bronze = a.ctx.economy.current.tiers.benefits.bronze.badge;
    // The badge node B shows others (its user summaries), over the wire.
    expect((await client(b.url, alt.token).get(`/api/users/${owner.id}`)).body.user).toMatchObject({ tier: 'bronze', badge: bronze });
    const back = await sendGift(ownerOnB, { toUserId: alt.id, amount: 30 });
    expect(back).toMatchObject({ ok: false, error: { code: 'GIFT_TOKENS_VESTING', details: { vestingTokens: 1000 } } });
    // Both nodes' paths to the socket: A's through the Redis adapter, and B's own connection.
    await fence(a, ownerOnB);
    await wireFence(ownerOnB);
    expect(tierChanges).toEqual([]);
    expect((await a.ctx.ledger.audit()).ok).toBe(true);
  });

  it('two gifts racing on two nodes cannot together spend tokens that have not vested', async () => {
    const giver = await giftUser(a, 'racegiver', { admin, balance: 100 });
    const middle = await giftUser(a, 'racemiddle');
    const third = await registerUser(a, 'racethird');
    expect(await sendGift(await pool.open(a, giver), { toUserId: middle.id, amount: 40 })).toMatchObject({ ok: true });
    const own = (await a.ctx.ledger.account(middle.id)).balance - 40;
    expect(own).toBeGreaterThan(0);
    // Force the interleaving across the two processes: node A reads the vesting sums and holds
    // until node B has read them too and posted its gift, so A posts on a stale read; the
    // read-time check alone would let both gifts of `own` through (2 x own > own). Node B is a
    // process of its own, so the hold is on A's side (the test cannot reach into B).
    let aRead!: () => void;
    const aHasRead = new Promise<void>((resolve) => (aRead = resolve));
    let release!: () => void;
    const bPosted = new Promise<void>((resolve) => (release = resolve));
    const read = a.ctx.ledger.sumsByActivity.bind(a.ctx.ledger);
    let held = false;
    a.ctx.ledger.sumsByActivity = async (...args: Parameters<typeof read>) => {
      const sums = await read(...args);
      if (args[0] === middle.id && !held) {
        held = true;
        aRead();
        await bPosted;
      }
      return sums;
    };
    try {
      const [onA, onB] = await Promise.all([pool.open(a, middle), pool.open(b, middle)]);
      const fromA = sendGift(onA, { toUserId: third.id, amount: own });
      await aHasRead;
      const fromB = await sendGift(onB, { toUserId: third.id, amount: own });
      release();
      const acks = [await fromA, fromB];
      expect(acks.filter((x) => x.ok), JSON.stringify(acks)).toHaveLength(1);
      expect(acks.find((x) => !x.ok)).toMatchObject({ ok: false, error: { code: 'GIFT_TOKENS_VESTING', details: { vestingTokens: 40 } } });
    } finally {
      a.ctx.ledger.sumsByActivity = read;
      release();
    }
    expect((await a.ctx.ledger.account(middle.id)).balance).toBe(40);
    expect((await a.ctx.ledger.audit()).ok).toBe(true);
  });
});
