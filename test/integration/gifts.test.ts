import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { collect, emitAck, waitFor } from '../support/socket.js';
import { ManualClock } from '../../server/lib/clock.js';
import { capLimitsFor } from '../../server/economy/rules/caps.js';
import { PASSWORD, createRoom, joinRoom, registerUser, socketPool, waitForChannel, type TestUser } from './chat-fixtures.js';
import { fence } from '../support/fence.js';
import { PIN, balanceOf, fundTo, giftUsage, giftUser, makeAdmin, overridesFile, rid, sendGift } from './gifts-fixtures.js';

/** Gifts over real sockets and HTTP with real Redis: the ledger entry, the limits, idempotency and the live events. */
let srv: TestServer;
let admin: TestUser;
const clock = new ManualClock('2026-03-04T09:00:00.000Z');
const pool = socketPool();

beforeAll(async () => {
  srv = await startTestServer({ redis: true, clock, env: { JWT_TTL_SECONDS: String(30 * 86_400) } });
  admin = await makeAdmin(srv);
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await srv.stop();
});

async function expectAuditOk(server: TestServer = srv): Promise<void> {
  const res = await admin.api.get('/api/admin/ledger/audit');
  expect(res.body, JSON.stringify(res.body)).toMatchObject({ ok: true, violations: [] });
  expect(server).toBeDefined();
}

describe('a gift', () => {
  it('moves the tokens in one entry, pays the receive_gift bonus and acks the new balance', async () => {
    const sender = await giftUser(srv, 'send', { admin, balance: 40 });
    const to = await registerUser(srv, 'recv');
    const toBefore = await balanceOf(to);
    const socket = await pool.open(srv, sender);
    const ack = await sendGift(socket, { toUserId: to.id, amount: 15, message: 'thanks!' });
    expect(ack, JSON.stringify(ack)).toMatchObject({
      ok: true,
      data: { balance: 25, gift: { amount: 15, message: 'thanks!', roomId: null, from: { id: sender.id, badge: '🥉' }, to: { id: to.id } } },
    });
    const bonus = srv.ctx.economy.current.activities.receive_gift.tokens;
    expect(await balanceOf(sender)).toBe(25);
    expect(await balanceOf(to)).toBe(toBefore + 15 + bonus);
    const account = (await sender.api.get(`/api/tokens/balance/${sender.id}`)).body;
    expect(account.totalGifted).toBe(15);
    expect((await to.api.get(`/api/tokens/balance/${to.id}`)).body.totalReceived).toBe(15);
    const history = await sender.api.get(`/api/tokens/history/${sender.id}?kind=gift`);
    expect(history.body.items).toEqual([expect.objectContaining({ kind: 'gift', amount: -15, counterpartId: to.id, message: 'thanks!', roomId: null })]);
    const theirs = await to.api.get(`/api/tokens/history/${to.id}`);
    expect(theirs.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'gift', amount: 15, counterpartId: sender.id }),
        expect.objectContaining({ kind: 'earn', activity: 'receive_gift', amount: bonus }),
      ]),
    );
    await expectAuditOk();
  });

  it('works the same over POST /api/tokens/gift, and a retry answers 200 with the first gift', async () => {
    const sender = await giftUser(srv, 'rest', { admin, balance: 30 });
    const to = await registerUser(srv, 'restto');
    const body = { toUserId: to.id, amount: 7, pin: PIN, requestId: rid() };
    const first = await sender.api.post('/api/tokens/gift', body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ balance: 23, duplicate: false, gift: { amount: 7 } });
    const again = await sender.api.post('/api/tokens/gift', body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ balance: 23, duplicate: true, gift: { giftId: first.body.gift.giftId } });
    expect(await balanceOf(sender)).toBe(23);
    const conflict = await sender.api.post('/api/tokens/gift', { ...body, amount: 8 });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
  });
});

describe('idempotency', () => {
  it('a retried requestId charges once, counts once and is not broadcast again', async () => {
    const sender = await giftUser(srv, 'idem', { admin, balance: 50 });
    const to = await registerUser(srv, 'idemto');
    const toBefore = await balanceOf(to);
    const socket = await pool.open(srv, sender);
    const toSocket = await pool.open(srv, to);
    const received = collect(toSocket, 'gift:received');
    const payload = { toUserId: to.id, amount: 10, requestId: rid() };
    const first = await sendGift(socket, payload);
    const second = await sendGift(socket, payload);
    expect(first).toMatchObject({ ok: true, data: { balance: 40 } });
    expect(second).toMatchObject({ ok: true, data: { balance: 40 } });
    expect(second.ok && first.ok && second.data.gift.giftId === first.data.gift.giftId).toBe(true);
    await fence(srv, toSocket);
    expect(received).toHaveLength(1);
    expect(await giftUsage(srv, sender.id)).toEqual({ count: 1, tokens: 10 });
    expect(await balanceOf(to)).toBe(toBefore + 10 + srv.ctx.economy.current.activities.receive_gift.tokens);
  });

  it('the same requestId sent concurrently is one gift', async () => {
    const sender = await giftUser(srv, 'idemc', { admin, balance: 50 });
    const to = await registerUser(srv, 'idemcto');
    const toBefore = await balanceOf(to);
    const socket = await pool.open(srv, sender);
    const payload = { toUserId: to.id, amount: 4, requestId: rid() };
    const acks = await Promise.all(Array.from({ length: 8 }, () => sendGift(socket, payload)));
    expect(acks.every((a) => a.ok)).toBe(true);
    expect(new Set(acks.map((a) => (a.ok ? a.data.gift.giftId : '')))).toHaveProperty('size', 1);
    expect(await balanceOf(sender)).toBe(46);
    expect(await giftUsage(srv, sender.id)).toEqual({ count: 1, tokens: 4 });
    const history = await sender.api.get(`/api/tokens/history/${sender.id}?kind=gift`);
    expect(history.body.items).toHaveLength(1);
    // The bonus once, although the first request pays it without a key lookup (issue 16) while the
    // retries' replays pay it after one: the loser's cap reservation is given back.
    const config = srv.ctx.economy.current;
    await srv.ctx.ledger.flush();
    expect(await balanceOf(to)).toBe(toBefore + 4 + config.activities.receive_gift.tokens);
    const caps = await srv.ctx.counters.caps.usage({ userId: to.id, activity: 'receive_gift', at: srv.ctx.clock.now(), limits: capLimitsFor('receive_gift', config) });
    expect(caps.usage.activityEvents).toBe(1);
    await expectAuditOk();
  });
});

describe('a retry answers the first outcome', () => {
  const receiptKey = (giftId: string) => `${srv.ctx.config.redisPrefix}gift-receipt:{${giftId}}`;

  it('with the balance right after the first gift, not the current one (socket and HTTP)', async () => {
    const sender = await giftUser(srv, 'firstbal', { admin, balance: 50 });
    const to = await registerUser(srv, 'firstbalto');
    const socket = await pool.open(srv, sender);
    const payload = { toUserId: to.id, amount: 10, message: 'one', requestId: rid() };
    const first = await sendGift(socket, payload);
    expect(first).toMatchObject({ ok: true, data: { balance: 40, balanceAsOf: 'gift' } });
    expect(await sendGift(socket, { toUserId: to.id, amount: 5 })).toMatchObject({ ok: true, data: { balance: 35 } });
    await fundTo(admin, sender, 60);

    const again = await sendGift(socket, payload);
    expect(again).toMatchObject({ ok: true, data: { balance: 40, balanceAsOf: 'gift' } });
    expect(again.ok && first.ok && again.data.gift.giftId === first.data.gift.giftId).toBe(true);
    const viaHttp = await sender.api.post('/api/tokens/gift', { ...payload, pin: PIN });
    expect(viaHttp.status).toBe(200);
    expect(viaHttp.body).toMatchObject({ balance: 40, balanceAsOf: 'gift', duplicate: true });
    expect(await balanceOf(sender)).toBe(60);
  });

  it('concurrent retries of a gift all answer its first balance', async () => {
    const sender = await giftUser(srv, 'concbal', { admin, balance: 50 });
    const to = await registerUser(srv, 'concbalto');
    const socket = await pool.open(srv, sender);
    const payload = { toUserId: to.id, amount: 6, requestId: rid() };
    // New and concurrent: the requests race the post and the receipt.
    const acks = await Promise.all(Array.from({ length: 6 }, () => sendGift(socket, payload)));
    expect(acks.map((a) => (a.ok ? [a.data.balance, a.data.balanceAsOf] : a))).toEqual(Array.from({ length: 6 }, () => [44, 'gift']));
    // Later, after the balance moved: concurrent retries still answer 44.
    await fundTo(admin, sender, 70);
    const retries = await Promise.all(Array.from({ length: 6 }, () => sendGift(socket, payload)));
    expect(retries.map((a) => (a.ok ? [a.data.balance, a.data.gift.giftId] : a))).toEqual(
      Array.from({ length: 6 }, () => [44, acks[0]!.ok ? acks[0]!.data.gift.giftId : '']),
    );
    expect(await balanceOf(sender)).toBe(70);
    expect(await giftUsage(srv, sender.id)).toEqual({ count: 1, tokens: 6 });
  });

  it('says when the receipt is gone: the current balance, balanceAsOf now', async () => {
    const sender = await giftUser(srv, 'norcpt', { admin, balance: 30 });
    const to = await registerUser(srv, 'norcptto');
    const body = { toUserId: to.id, amount: 3, pin: PIN, requestId: rid() };
    const first = await sender.api.post('/api/tokens/gift', body);
    expect(first.body).toMatchObject({ balance: 27, balanceAsOf: 'gift' });
    await fundTo(admin, sender, 33);
    clock.advance(2000); // past the wait for a receipt a concurrent request may still be writing
    expect(await srv.redis!.del(receiptKey(first.body.gift.giftId))).toBe(1);
    const again = await sender.api.post('/api/tokens/gift', body);
    expect(again.body).toMatchObject({ balance: 33, balanceAsOf: 'now', duplicate: true, gift: { giftId: first.body.gift.giftId } });
  });

  it('after a PIN change, and with a wrong PIN, without counting it as a wrong PIN', async () => {
    const sender = await giftUser(srv, 'pinretry', { admin, balance: 30 });
    const to = await registerUser(srv, 'pinretryto');
    const socket = await pool.open(srv, sender);
    const payload = { toUserId: to.id, amount: 4, requestId: rid() };
    const first = await sendGift(socket, payload);
    expect(first).toMatchObject({ ok: true, data: { balance: 26 } });
    expect((await sender.api.post('/api/tokens/pin', { password: PASSWORD, pin: '5678' })).status).toBe(200);
    // The old PIN, then a wrong one, six times: the same gift each time, and no failure counted.
    for (const pin of [PIN, '0000', '0000', '0000', '0000', '0000']) {
      const again = await sendGift(socket, { ...payload, pin });
      expect(again).toMatchObject({ ok: true, data: { balance: 26, balanceAsOf: 'gift' } });
    }
    // A NEW gift still needs the PIN, checked first: the old one is wrong and counts once.
    expect(await sendGift(socket, { toUserId: to.id, amount: 1, pin: PIN })).toMatchObject({ ok: false, error: { code: 'PIN_INVALID', details: { attemptsLeft: 4 } } });
    expect(await balanceOf(sender)).toBe(26);
  });

  it('during a PIN lockout, while new gifts are refused', async () => {
    const sender = await giftUser(srv, 'lockretry', { admin, balance: 30 });
    const to = await registerUser(srv, 'lockretryto');
    const socket = await pool.open(srv, sender);
    const payload = { toUserId: to.id, amount: 5, requestId: rid() };
    expect(await sendGift(socket, payload)).toMatchObject({ ok: true, data: { balance: 25 } });
    for (let i = 0; i < 5; i++) await sendGift(socket, { toUserId: to.id, amount: 1, pin: '0000' });
    expect(await sendGift(socket, { toUserId: to.id, amount: 1 })).toMatchObject({ ok: false, error: { code: 'PIN_LOCKED' } });
    expect(await sendGift(socket, payload)).toMatchObject({ ok: true, data: { balance: 25, balanceAsOf: 'gift' } });
    const viaHttp = await sender.api.post('/api/tokens/gift', { ...payload, pin: PIN });
    expect(viaHttp.status).toBe(200);
    expect(viaHttp.body).toMatchObject({ duplicate: true, balance: 25 });
    expect(await balanceOf(sender)).toBe(25);
  });

  it('the same requestId with another message, room, recipient or amount is IDEMPOTENCY_CONFLICT and moves nothing', async () => {
    const sender = await giftUser(srv, 'conflict', { admin, balance: 30 });
    const to = await registerUser(srv, 'conflictto');
    const other = await registerUser(srv, 'conflictother');
    const room = await createRoom(sender);
    await joinRoom(await pool.open(srv, to), room.id);
    const socket = await pool.open(srv, sender);
    const before = await balanceOf(sender);
    const payload = { toUserId: to.id, amount: 4, message: 'hello', requestId: rid() };
    expect(await sendGift(socket, payload)).toMatchObject({ ok: true });
    const variants = [
      { ...payload, message: 'hello!' },
      { toUserId: to.id, amount: 4, requestId: payload.requestId },
      { ...payload, roomId: room.id },
      { ...payload, toUserId: other.id },
      { ...payload, amount: 5 },
    ];
    for (const variant of variants) {
      expect(await sendGift(socket, variant), JSON.stringify(variant)).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
    }
    const viaHttp = await sender.api.post('/api/tokens/gift', { ...payload, message: 'other', pin: PIN });
    expect(viaHttp.status).toBe(409);
    expect(await balanceOf(sender)).toBe(before - 4);
    expect(await giftUsage(srv, sender.id)).toEqual({ count: 1, tokens: 4 });
  });
});

describe('refusals change nothing', () => {
  let sender: TestUser;
  let to: TestUser;
  let outsider: TestUser;
  let roomId: string;

  beforeAll(async () => {
    sender = await giftUser(srv, 'val');
    to = await registerUser(srv, 'valto');
    outsider = await registerUser(srv, 'valout');
    roomId = (await createRoom(sender)).id;
    await fundTo(admin, sender, 30);
  });

  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    ['self', () => ({ toUserId: sender.id, amount: 1 }), 'CANNOT_GIFT_SELF'],
    ['unknown recipient', () => ({ toUserId: 'no-such-user', amount: 1 }), 'USER_NOT_FOUND'],
    ['more than the balance', () => ({ toUserId: to.id, amount: 31 }), 'INSUFFICIENT_BALANCE'],
    ['zero', () => ({ toUserId: to.id, amount: 0 }), 'VALIDATION_FAILED'],
    ['negative', () => ({ toUserId: to.id, amount: -5 }), 'VALIDATION_FAILED'],
    ['fractional', () => ({ toUserId: to.id, amount: 1.5 }), 'VALIDATION_FAILED'],
    ['non-numeric', () => ({ toUserId: to.id, amount: '5' }), 'VALIDATION_FAILED'],
    ['message of 281 characters', () => ({ toUserId: to.id, amount: 1, message: 'x'.repeat(281) }), 'VALIDATION_FAILED'],
    ['missing requestId', () => ({ toUserId: to.id, amount: 1, requestId: undefined }), 'VALIDATION_FAILED'],
    ['recipient not in the room', () => ({ toUserId: outsider.id, amount: 1, roomId }), 'NOT_A_MEMBER'],
  ];

  it.each(cases)('%s', async (_label, payload, code) => {
    const socket = await pool.open(srv, sender);
    const ack = await sendGift(socket, payload() as never);
    expect(ack, JSON.stringify(ack)).toMatchObject({ ok: false, error: { code } });
    expect(await balanceOf(sender)).toBe(30);
    expect(await giftUsage(srv, sender.id)).toEqual({ count: 0, tokens: 0 });
  });

  it('a message of exactly 280 characters is fine', async () => {
    const rich = await giftUser(srv, 'msg280', { admin, balance: 20 });
    const socket = await pool.open(srv, rich);
    expect(await sendGift(socket, { toUserId: to.id, amount: 1, message: 'y'.repeat(280) })).toMatchObject({ ok: true });
  });

  it('the sender must be a member of the room', async () => {
    const other = await registerUser(srv, 'valown');
    const foreign = await createRoom(other);
    const socket = await pool.open(srv, sender);
    await joinRoom(await pool.open(srv, to), foreign.id);
    expect(await sendGift(socket, { toUserId: to.id, amount: 1, roomId: foreign.id })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await balanceOf(sender)).toBe(30);
  });

  it('a banned account cannot receive', async () => {
    const banned = await registerUser(srv, 'valban');
    await srv.ctx.stores.users.setBanned(banned.id, clock.now());
    const socket = await pool.open(srv, sender);
    expect(await sendGift(socket, { toUserId: banned.id, amount: 1 })).toMatchObject({ ok: false, error: { code: 'RECIPIENT_BANNED' } });
    expect(await balanceOf(sender)).toBe(30);
  });

  it('a user banned from the room cannot receive there', async () => {
    const member = await registerUser(srv, 'valrban');
    await joinRoom(await pool.open(srv, member), roomId);
    expect((await sender.api.post(`/api/rooms/${roomId}/bans`, { userId: member.id })).status).toBeLessThan(300);
    const socket = await pool.open(srv, sender);
    expect(await sendGift(socket, { toUserId: member.id, amount: 1, roomId })).toMatchObject({ ok: false, error: { code: 'RECIPIENT_BANNED' } });
    expect(await balanceOf(sender)).toBe(30);
    expect(await giftUsage(srv, sender.id)).toEqual({ count: 0, tokens: 0 });
  });
});

describe('daily limits', () => {
  it("a bronze sender's allowance is 50 tokens a day", async () => {
    const sender = await giftUser(srv, 'bronze', { admin, balance: 90 });
    const to = await registerUser(srv, 'bronzeto');
    const socket = await pool.open(srv, sender);
    expect(await sendGift(socket, { toUserId: to.id, amount: 30 })).toMatchObject({ ok: true });
    const over = await sendGift(socket, { toUserId: to.id, amount: 21 });
    expect(over).toMatchObject({ ok: false, error: { code: 'GIFT_DAILY_ALLOWANCE_EXCEEDED', details: { tier: 'bronze', allowance: 50, remainingTokens: 20 } } });
    expect(await balanceOf(sender)).toBe(60);
    expect(await sendGift(socket, { toUserId: to.id, amount: 20 })).toMatchObject({ ok: true });
    expect(await giftUsage(srv, sender.id)).toEqual({ count: 2, tokens: 50 });
  });

  it('a silver sender may give 200 a day', async () => {
    const sender = await giftUser(srv, 'silver', { admin, balance: 450 });
    const to = await registerUser(srv, 'silverto');
    const socket = await pool.open(srv, sender);
    expect(await sendGift(socket, { toUserId: to.id, amount: 150 })).toMatchObject({ ok: true });
    expect(await sendGift(socket, { toUserId: to.id, amount: 51 })).toMatchObject({ ok: false, error: { code: 'GIFT_DAILY_ALLOWANCE_EXCEEDED', details: { tier: 'silver', allowance: 200 } } });
  });

  it('platinum is unlimited in tokens', async () => {
    const sender = await giftUser(srv, 'plat', { admin, balance: 5000 });
    const to = await registerUser(srv, 'platto');
    const socket = await pool.open(srv, sender);
    for (const amount of [1000, 1500, 1200]) expect(await sendGift(socket, { toUserId: to.id, amount })).toMatchObject({ ok: true });
    expect(await balanceOf(sender)).toBe(1300);
    expect(await giftUsage(srv, sender.id)).toEqual({ count: 3, tokens: 3700 });
  });

  it('at most 10 gifts a UTC day, counted again from midnight', async () => {
    clock.set('2026-03-05T23:50:00.000Z');
    const sender = await giftUser(srv, 'ten', { admin, balance: 2000 });
    const to = await registerUser(srv, 'tento');
    const socket = await pool.open(srv, sender);
    for (let i = 0; i < 10; i++) expect(await sendGift(socket, { toUserId: to.id, amount: 1 })).toMatchObject({ ok: true });
    const eleventh = await sendGift(socket, { toUserId: to.id, amount: 1 });
    expect(eleventh).toMatchObject({ ok: false, error: { code: 'GIFT_DAILY_COUNT_EXCEEDED', details: { limit: 10, remainingCount: 0 } } });
    expect(await balanceOf(sender)).toBe(1990);
    clock.set('2026-03-06T00:00:00.000Z');
    expect(await sendGift(socket, { toUserId: to.id, amount: 1 })).toMatchObject({ ok: true, data: { balance: 1989 } });
    expect(await giftUsage(srv, sender.id)).toEqual({ count: 1, tokens: 1 });
  });
});

describe('live events', () => {
  it('a room gift reaches every member (once per socket, recipient on all tabs) and no outsider', async () => {
    const sender = await giftUser(srv, 'live', { admin, balance: 40 });
    const to = await registerUser(srv, 'liveto');
    const member = await registerUser(srv, 'livemem');
    const outsider = await registerUser(srv, 'liveout');
    const room = await createRoom(sender);
    const senderSocket = await pool.open(srv, sender);
    const toTab1 = await pool.open(srv, to);
    const toTab2 = await pool.open(srv, to);
    const memberSocket = await pool.open(srv, member);
    const outsiderSocket = await pool.open(srv, outsider);
    await joinRoom(toTab1, room.id);
    await joinRoom(memberSocket, room.id);
    await waitForChannel(srv, room.id, 4);
    const seen = [senderSocket, toTab1, toTab2, memberSocket].map((s) => collect(s, 'gift:received'));
    const outsiderSeen = collect(outsiderSocket, 'gift:received');
    const arrivals = [senderSocket, toTab1, toTab2, memberSocket].map((s) => waitFor(s, 'gift:received'));
    const ack = await sendGift(senderSocket, { toUserId: to.id, amount: 12, message: 'for the song', roomId: room.id });
    expect(ack).toMatchObject({ ok: true });
    const events = await Promise.all(arrivals);
    for (const e of events) {
      expect(e).toMatchObject({ from: { id: sender.id }, to: { id: to.id }, amount: 12, message: 'for the song', roomId: room.id, badges: { from: '🥉', to: expect.any(String) } });
      expect(typeof e.giftId).toBe('string');
      expect(typeof e.at).toBe('string');
    }
    await fence(srv, senderSocket, toTab1, toTab2, memberSocket, outsiderSocket);
    expect(seen.map((s) => s.length)).toEqual([1, 1, 1, 1]);
    expect(outsiderSeen).toHaveLength(0);
  });

  it('a gift without a room reaches the recipient alone', async () => {
    const sender = await giftUser(srv, 'priv', { admin, balance: 40 });
    const to = await registerUser(srv, 'privto');
    const bystander = await registerUser(srv, 'privby');
    const room = await createRoom(sender);
    const senderSocket = await pool.open(srv, sender);
    const toSocket = await pool.open(srv, to);
    const bySocket = await pool.open(srv, bystander);
    await joinRoom(toSocket, room.id);
    await joinRoom(bySocket, room.id);
    const bySeen = collect(bySocket, 'gift:received');
    const senderSeen = collect(senderSocket, 'gift:received');
    const arrival = waitFor(toSocket, 'gift:received');
    expect(await sendGift(senderSocket, { toUserId: to.id, amount: 3 })).toMatchObject({ ok: true });
    expect(await arrival).toMatchObject({ amount: 3, roomId: null });
    await fence(srv, bySocket, senderSocket);
    expect(bySeen).toHaveLength(0);
    expect(senderSeen).toHaveLength(0);
  });

  it('pushes the new balances to sender and recipient', async () => {
    const sender = await giftUser(srv, 'push', { admin, balance: 40 });
    const to = await registerUser(srv, 'pushto');
    const senderSocket = await pool.open(srv, sender);
    const toSocket = await pool.open(srv, to);
    const toBefore = await balanceOf(to);
    const senderPush = waitFor(senderSocket, 'tokens:balance', (e) => e.balance === 30);
    const toPush = waitFor(toSocket, 'tokens:balance', (e) => e.balance === toBefore + 10 + 1);
    expect(await sendGift(senderSocket, { toUserId: to.id, amount: 10 })).toMatchObject({ ok: true });
    expect(await senderPush).toEqual({ balance: 30, tier: 'bronze' });
    await toPush;
  });
});

describe('achievements', () => {
  it("a sender's first gift unlocks the first_gift achievement, once", async () => {
    const sender = await giftUser(srv, 'first', { admin, balance: 40 });
    const to = await registerUser(srv, 'firstto');
    const socket = await pool.open(srv, sender);
    const unlocked = collect(socket, 'achievement:unlocked');
    const arrival = waitFor(socket, 'achievement:unlocked', (e) => e.achievementId === 'first_gift');
    expect(await sendGift(socket, { toUserId: to.id, amount: 2 })).toMatchObject({ ok: true });
    await arrival;
    expect(await sendGift(socket, { toUserId: to.id, amount: 2 })).toMatchObject({ ok: true });
    await fence(srv, socket);
    expect(unlocked.filter((e) => e.achievementId === 'first_gift')).toHaveLength(1);
  });
});

describe('concurrency', () => {
  let rich: TestServer;
  let richAdmin: TestUser;
  beforeAll(async () => {
    // No token allowance and a higher count: the race is decided by the balance alone.
    const file = overridesFile({
      gifts: { maxPerDay: 100 },
      tiers: { benefits: { bronze: { giftLimitDaily: null }, silver: { giftLimitDaily: null }, gold: { giftLimitDaily: null } } },
    });
    rich = await startTestServer({ redis: true, env: { ECONOMY_OVERRIDES_FILE: file } });
    richAdmin = await makeAdmin(rich);
  });
  afterAll(async () => {
    await rich.stop();
  });

  it('20 parallel gifts worth more than the balance: exactly the affordable ones succeed', async () => {
    const sender = await giftUser(rich, 'race', { admin: richAdmin, balance: 1000 });
    const recipients = await Promise.all(Array.from({ length: 4 }, (_, i) => registerUser(rich, `racer${i}`)));
    const socket = await pool.open(rich, sender);
    const acks = await Promise.all(Array.from({ length: 20 }, (_, i) => sendGift(socket, { toUserId: recipients[i % 4]!.id, amount: 150 }), 10_000));
    const ok = acks.filter((a) => a.ok);
    expect(ok).toHaveLength(6);
    expect(acks.filter((a) => !a.ok).every((a) => !a.ok && a.error.code === 'INSUFFICIENT_BALANCE')).toBe(true);
    const balances = ok.map((a) => (a.ok ? a.data.balance : -1));
    expect(Math.min(...balances)).toBe(100);
    expect(balances.every((b) => b >= 0)).toBe(true);
    expect(await balanceOf(sender)).toBe(100);
    // Refused gifts gave their reservation back.
    expect(await giftUsage(rich, sender.id)).toEqual({ count: 6, tokens: 900 });
    const audit = await richAdmin.api.get('/api/admin/ledger/audit');
    expect(audit.body).toMatchObject({ ok: true });
  });
});

describe('Redis down', () => {
  let down: TestServer;
  beforeAll(async () => {
    down = await startTestServer({ redis: true });
  });
  afterAll(async () => {
    await down.stop();
  });

  it('gifts and rewards refuse with SERVICE_UNAVAILABLE rather than run without their counters, and move nothing', async () => {
    const downAdmin = await makeAdmin(down);
    const sender = await giftUser(down, 'down');
    const to = await registerUser(down, 'downto');
    const room = await createRoom(sender);
    await fundTo(downAdmin, sender, 40);
    const socket = await pool.open(down, sender);
    await joinRoom(await pool.open(down, to), room.id);
    const toBefore = await balanceOf(to);
    down.redis!.disconnect();
    expect(await sendGift(socket, { toUserId: to.id, amount: 5 })).toMatchObject({ ok: false, error: { code: 'SERVICE_UNAVAILABLE' } });
    const viaHttp = await sender.api.post('/api/tokens/gift', { toUserId: to.id, amount: 5, pin: PIN, requestId: rid() });
    expect(viaHttp.status).toBe(503);
    const rewarded = await emitAck(socket, 'room:reward', { roomId: room.id, userId: to.id, amount: 5, reason: 'while down', requestId: rid() });
    expect(rewarded).toMatchObject({ ok: false, error: { code: 'SERVICE_UNAVAILABLE' } });
    expect(await balanceOf(sender)).toBe(40);
    expect(await balanceOf(to)).toBe(toBefore);
  });
});
