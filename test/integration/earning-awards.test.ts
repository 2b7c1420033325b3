import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AwardOutcome } from '../../shared/events.js';
import { client } from '../support/http.js';
import { emitAck, waitFor, type TestSocket } from '../support/socket.js';
import { chatRoom, createRoom, joinRoom, registerUser, socketPool, uname, PASSWORD, type TestUser } from './chat-fixtures.js';
import { balanceOf, startEarningServer, uploadFile, type EarningServer } from './earning-fixtures.js';

const sockets = socketPool();
afterEach(() => sockets.closeAll());

/** The award carried by an ack, asserting the action itself succeeded. */
function awardOf(ack: { ok: boolean; data?: { award: AwardOutcome | null } } | { ok: false }): AwardOutcome | null {
  expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true });
  return (ack as { data: { award: AwardOutcome | null } }).data.award;
}

let msgSeq = 0;
const send = (socket: TestSocket, roomId: string, clientMessageId = `m-${++msgSeq}`) =>
  emitAck(socket, 'message:send', { roomId, clientMessageId, body: `hello ${clientMessageId}` });

describe('inline awards (send_message capped at 3 per day)', () => {
  let srv: EarningServer;
  beforeAll(async () => {
    srv = await startEarningServer({
      caps: { activityDailyEvents: { send_message: 3 } },
      activities: { popular_message: { reactionThreshold: 3 }, media_shared: { viewThreshold: 2 } },
    });
  });
  afterAll(async () => {
    await srv.stop();
  });

  it('registration and room creation carry their awards in the HTTP response', async () => {
    const res = await client(srv.url).post('/api/auth/register', { username: uname('reg'), password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body.award).toEqual({ activity: 'registration', granted: 10 });
    const userId = res.body.user.id as string;
    const created = await client(srv.url, res.body.token).post('/api/rooms', { name: 'paid room', visibility: 'public' });
    expect(created.status).toBe(201);
    expect(created.body.award).toEqual({ activity: 'create_room', granted: 10 });
    expect(await balanceOf(srv, userId)).toBe(20);
    const entry = await srv.ctx.ledger.findByIdempotencyKey(`earn:create_room:${created.body.room.id}`);
    expect(entry).toMatchObject({ kind: 'earn', activity: 'create_room', roomId: created.body.room.id });
  });

  it('room:join pays the first join of a room only: joining again or leaving and re-joining earns nothing', async () => {
    const owner = await registerUser(srv, 'Owner');
    const member = await registerUser(srv, 'Member');
    const room = await createRoom(owner);
    const sock = await sockets.open(srv, member);
    expect(awardOf(await emitAck(sock, 'room:join', { roomId: room.id }))).toEqual({ activity: 'join_room', granted: 5 });
    expect(awardOf(await emitAck(sock, 'room:join', { roomId: room.id }))).toEqual({ activity: 'join_room', granted: 0, reason: 'NOT_ELIGIBLE' });
    expect(await emitAck(sock, 'room:leave', { roomId: room.id })).toMatchObject({ ok: true });
    expect(awardOf(await emitAck(sock, 'room:join', { roomId: room.id }))).toEqual({ activity: 'join_room', granted: 0, reason: 'ALREADY_REWARDED' });
    expect(await balanceOf(srv, member.id)).toBe(15);
  });

  it('message:send pays per new message up to the activity cap; messages keep flowing past it; a retry earns nothing', async () => {
    const { owner, member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const before = await balanceOf(srv, member.id);
    const first = await send(memberSock, room.id, 'cap-1');
    expect(awardOf(first)).toEqual({ activity: 'send_message', granted: 1 });
    expect(awardOf(await send(memberSock, room.id))).toEqual({ activity: 'send_message', granted: 1 });
    expect(awardOf(await send(memberSock, room.id))).toEqual({ activity: 'send_message', granted: 1 });
    const delivered = waitFor(ownerSock, 'message:new', (m) => m.clientMessageId === 'cap-4');
    expect(awardOf(await send(memberSock, room.id, 'cap-4'))).toEqual({ activity: 'send_message', granted: 0, reason: 'ACTIVITY_CAP' });
    expect((await delivered).author.id).toBe(member.id);
    expect(awardOf(await send(memberSock, room.id, 'cap-1'))).toEqual({ activity: 'send_message', granted: 0, reason: 'ALREADY_REWARDED' });
    expect(await balanceOf(srv, member.id)).toBe(before + 3);

    const cap = await member.api.post('/api/tokens/check-cap', { activity: 'send_message' });
    expect(cap.status).toBe(200);
    // registration 10 + join 5 + 3 messages
    expect(cap.body).toMatchObject({ activity: 'send_message', remaining: { activityEvents: 0, dailyTokens: 482, weeklyTokens: 2982, tokens: 0 } });
    const other = await owner.api.post('/api/tokens/check-cap', { activity: 'send_message' });
    expect(other.body.remaining).toMatchObject({ activityEvents: 3, dailyTokens: 480 });
  });

  it('check-cap refuses an unknown activity', async () => {
    const u = await registerUser(srv, 'Caps');
    const res = await u.api.post('/api/tokens/check-cap', { activity: 'sleeping' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('UNKNOWN_ACTIVITY');
  });

  it('pushes tokens:balance to every tab of the user after a credit', async () => {
    const { member, room, memberSock } = await chatRoom(srv, sockets);
    const secondTab = await sockets.open(srv, member);
    const tabs = [memberSock, secondTab].map((s) => waitFor(s, 'tokens:balance', (e) => e.balance === 16));
    expect(awardOf(await send(memberSock, room.id))).toEqual({ activity: 'send_message', granted: 1 });
    expect(await Promise.all(tabs)).toEqual([
      { balance: 16, tier: 'bronze' },
      { balance: 16, tier: 'bronze' },
    ]);
  });

  it('file:share pays the uploader per new share; sharing the same file into the room again earns nothing', async () => {
    const { member, room, memberSock } = await chatRoom(srv, sockets);
    const fileId = await uploadFile(srv, member);
    expect(awardOf(await emitAck(memberSock, 'file:share', { roomId: room.id, fileId }))).toEqual({ activity: 'share_file', granted: 3 });
    expect(awardOf(await emitAck(memberSock, 'file:share', { roomId: room.id, fileId }))).toEqual({ activity: 'share_file', granted: 0, reason: 'ALREADY_REWARDED' });
  });

  it('media_shared pays the uploader once when the file reaches the distinct-viewer threshold', async () => {
    const { owner, member, room, ownerSock } = await chatRoom(srv, sockets);
    const third = await registerUser(srv, 'Viewer');
    await joinRoom(await sockets.open(srv, third), room.id);
    const fileId = await uploadFile(srv, owner);
    expect(awardOf(await emitAck(ownerSock, 'file:share', { roomId: room.id, fileId }))).toMatchObject({ granted: 3 });
    const key = `earn:media_shared:${fileId}`;
    expect((await owner.api.get(`/api/files/${fileId}`)).status).toBe(200); // the uploader is no viewer
    expect((await member.api.get(`/api/files/${fileId}`)).status).toBe(200);
    expect(await srv.ctx.ledger.findByIdempotencyKey(key)).toBeNull();
    const before = await balanceOf(srv, owner.id);
    expect((await third.api.get(`/api/files/${fileId}`)).status).toBe(200);
    expect(await srv.ctx.ledger.findByIdempotencyKey(key)).toMatchObject({ activity: 'media_shared' });
    expect(await balanceOf(srv, owner.id)).toBe(before + 2);
    expect((await member.api.get(`/api/files/${fileId}`)).status).toBe(200);
    expect(await balanceOf(srv, owner.id)).toBe(before + 2);
  });

  it('popular_message pays the author once when reactions come from the threshold of distinct users', async () => {
    const { owner, member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const ack = await send(ownerSock, room.id);
    if (!ack.ok) throw new Error('send failed');
    const messageId = ack.data.message.id;
    const extra: TestUser[] = [await registerUser(srv, 'Fan'), await registerUser(srv, 'Fan')];
    const extraSocks = await Promise.all(extra.map((u) => sockets.open(srv, u)));
    for (const s of extraSocks) await joinRoom(s, room.id);
    const key = `earn:popular_message:${messageId}`;
    expect(await emitAck(memberSock, 'message:react', { messageId, emoji: '👍', on: true })).toMatchObject({ ok: true });
    expect(await emitAck(memberSock, 'message:react', { messageId, emoji: '🎉', on: true })).toMatchObject({ ok: true });
    expect(await emitAck(extraSocks[0]!, 'message:react', { messageId, emoji: '👍', on: true })).toMatchObject({ ok: true });
    expect(await srv.ctx.ledger.findByIdempotencyKey(key)).toBeNull();
    const before = await balanceOf(srv, owner.id);
    const pushed = waitFor(ownerSock, 'tokens:balance', (e) => e.balance === before + 5);
    expect(await emitAck(extraSocks[1]!, 'message:react', { messageId, emoji: '👍', on: true })).toMatchObject({ ok: true });
    await pushed;
    expect(await srv.ctx.ledger.findByIdempotencyKey(key)).toMatchObject({ activity: 'popular_message', roomId: room.id });
    expect(await emitAck(extraSocks[1]!, 'message:react', { messageId, emoji: '🔥', on: true })).toMatchObject({ ok: true });
    expect(await balanceOf(srv, owner.id)).toBe(before + 5);
  });

  it('message:vote-helpful pays the author once per voter; the voter ack carries it and the author is told', async () => {
    const { owner, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const ack = await send(ownerSock, room.id);
    if (!ack.ok) throw new Error('send failed');
    const before = await balanceOf(srv, owner.id);
    const pushed = waitFor(ownerSock, 'tokens:balance', (e) => e.balance === before + 10);
    const vote = await emitAck(memberSock, 'message:vote-helpful', { messageId: ack.data.message.id });
    expect(awardOf(vote)).toEqual({ activity: 'helpful_content', granted: 10 });
    await pushed;
    const again = await emitAck(memberSock, 'message:vote-helpful', { messageId: ack.data.message.id });
    expect(again).toMatchObject({ ok: false, error: { code: 'ALREADY_VOTED' } });
    expect(await balanceOf(srv, owner.id)).toBe(before + 10);
  });

  it('room_moderator pays once per room, however often the member is demoted and promoted again', async () => {
    const { owner, member, room } = await chatRoom(srv, sockets);
    const promote = await owner.api.post(`/api/rooms/${room.id}/moderators`, { userId: member.id });
    expect(promote.status).toBe(200);
    expect(promote.body.award).toEqual({ activity: 'room_moderator', granted: 100 });
    expect((await owner.api.del(`/api/rooms/${room.id}/moderators/${member.id}`)).status).toBe(200);
    const again = await owner.api.post(`/api/rooms/${room.id}/moderators`, { userId: member.id });
    expect(again.body.award).toEqual({ activity: 'room_moderator', granted: 0, reason: 'ALREADY_REWARDED' });
  });

  it('a failed ledger write releases the cap reservation and credits nothing; the message still goes out', async () => {
    const { member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const capBefore = (await member.api.post('/api/tokens/check-cap', { activity: 'send_message' })).body;
    const balanceBefore = await balanceOf(srv, member.id);
    const ledger = srv.ctx.ledger;
    const original = ledger.enqueue;
    ledger.enqueue = () => Promise.reject(new Error('disk full (injected)'));
    try {
      const delivered = waitFor(ownerSock, 'message:new', (m) => m.clientMessageId === 'fails-1');
      expect(awardOf(await send(memberSock, room.id, 'fails-1'))).toEqual({ activity: 'send_message', granted: 0, reason: 'LEDGER_UNAVAILABLE' });
      await delivered;
    } finally {
      ledger.enqueue = original;
    }
    expect((await member.api.post('/api/tokens/check-cap', { activity: 'send_message' })).body).toEqual(capBefore);
    expect(await balanceOf(srv, member.id)).toBe(balanceBefore);
    expect(awardOf(await send(memberSock, room.id))).toEqual({ activity: 'send_message', granted: 1 });
  });
});

describe('caps on token totals and tiers', () => {
  let srv: EarningServer;
  beforeAll(async () => {
    srv = await startEarningServer({
      caps: { dailyTotalTokens: 23 },
      activities: { share_file: { tokens: 5 } },
      tiers: { thresholds: { silver: 20 } },
    });
  });
  afterAll(async () => {
    await srv.stop();
  });

  it('grants part of an award at the daily total (DAILY_CAP), then nothing', async () => {
    const u = await registerUser(srv, 'Daily'); // 10
    const room = await createRoom(u); // 20
    const sock = await sockets.open(srv, u);
    const fileId = await uploadFile(srv, u);
    expect(awardOf(await emitAck(sock, 'file:share', { roomId: room.id, fileId }))).toEqual({ activity: 'share_file', granted: 3, reason: 'DAILY_CAP' });
    expect(awardOf(await send(sock, room.id))).toEqual({ activity: 'send_message', granted: 0, reason: 'DAILY_CAP' });
    expect(await balanceOf(srv, u.id)).toBe(23);
    // The next UTC day has a fresh daily total.
    srv.clock.advance(24 * 3600 * 1000);
    expect(awardOf(await send(sock, room.id))).toEqual({ activity: 'send_message', granted: 1 });
    srv.clock.advance(-24 * 3600 * 1000);
  });

  it('pushes tier:changed when a credit crosses a tier threshold', async () => {
    const u = await registerUser(srv, 'Tier'); // 10, bronze
    const sock = await sockets.open(srv, u);
    const changed = waitFor(sock, 'tier:changed');
    const balance = waitFor(sock, 'tokens:balance');
    await createRoom(u); // 20: silver
    expect(await changed).toEqual({ from: 'bronze', to: 'silver', badge: srv.ctx.economy.current.tiers.benefits.silver.badge });
    expect(await balance).toEqual({ balance: 20, tier: 'silver' });
  });
});

describe('multiplier carry', () => {
  let srv: EarningServer;
  beforeAll(async () => {
    srv = await startEarningServer({ multipliers: { tier: { bronze: 1.1 } }, tiers: { thresholds: { silver: 10_000, gold: 20_000, platinum: 30_000 } } });
  });
  afterAll(async () => {
    await srv.stop();
  });

  it('10 messages at x1.1 credit exactly 11 tokens', async () => {
    const u = await registerUser(srv, 'Carry'); // 10 x 1.1 = 11
    expect(await balanceOf(srv, u.id)).toBe(11);
    const room = await createRoom(u); // 11
    const sock = await sockets.open(srv, u);
    const granted: number[] = [];
    for (let i = 0; i < 10; i++) granted.push(awardOf(await send(sock, room.id))!.granted);
    expect(granted.reduce((a, b) => a + b, 0)).toBe(11);
    expect(granted.filter((g) => g === 2)).toHaveLength(1);
    expect(await balanceOf(srv, u.id)).toBe(33);
    expect((await srv.ctx.ledger.accountWithCarry(u.id)).carryNanos).toBe(0);
  });
});

describe('Redis down', () => {
  let srv: EarningServer;
  beforeAll(async () => {
    srv = await startEarningServer();
  });
  afterAll(async () => {
    await srv.stop();
  });

  it('messages keep flowing, awards answer CAPS_UNAVAILABLE and check-cap is 503', async () => {
    const { member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const before = await balanceOf(srv, member.id);
    srv.redis!.disconnect();
    const delivered = waitFor(ownerSock, 'message:new', (m) => m.clientMessageId === 'down-1');
    expect(awardOf(await send(memberSock, room.id, 'down-1'))).toEqual({ activity: 'send_message', granted: 0, reason: 'CAPS_UNAVAILABLE' });
    expect((await delivered).body).toBe('hello down-1');
    expect(await balanceOf(srv, member.id)).toBe(before);
    const cap = await member.api.post('/api/tokens/check-cap', { activity: 'send_message' });
    expect(cap.status).toBe(503);
    expect(cap.body.error.code).toBe('CAPS_UNAVAILABLE');
  });
});

describe('economy disabled', () => {
  let srv: EarningServer;
  beforeAll(async () => {
    srv = await startEarningServer({}, { env: { ECONOMY_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await srv.stop();
  });

  it('answers ECONOMY_DISABLED and writes nothing', async () => {
    const res = await client(srv.url).post('/api/auth/register', { username: uname('off'), password: PASSWORD });
    expect(res.body.award).toEqual({ activity: 'registration', granted: 0, reason: 'ECONOMY_DISABLED' });
    expect(await balanceOf(srv, res.body.user.id)).toBe(0);
    expect((await srv.ctx.ledger.audit()).entries).toBe(0);
  });
});
