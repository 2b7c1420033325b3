import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AwardOutcome } from '../../shared/events.js';
import { emitAck, waitFor } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { balanceOf, startEarningServer, type EarningServer } from './earning-fixtures.js';

const sockets = socketPool();
afterEach(() => sockets.closeAll());

const DAY_MS = 24 * 60 * 60 * 1000;

/** The award carried by a room:join ack, asserting the join itself succeeded. */
function joinAward(ack: { ok: boolean; data?: { award: AwardOutcome | null } } | { ok: false }): AwardOutcome | null {
  expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true });
  return (ack as { data: { award: AwardOutcome | null } }).data.award;
}

describe('earning edges: popular_message at its real threshold, and the re-join rule under a cap', () => {
  let srv: EarningServer;
  beforeAll(async () => {
    // The `current` preset's popular_message threshold (10), one paid room join per day.
    // Tokens outlive the day the re-join test moves the clock by.
    srv = await startEarningServer({ caps: { activityDailyEvents: { join_room: 1 } } }, { env: { JWT_TTL_SECONDS: String(7 * 24 * 3600) } });
    expect(srv.ctx.economy.current.activities.popular_message.reactionThreshold).toBe(10);
  });
  afterAll(async () => {
    await srv.stop();
  });

  it('popular_message: 9 others plus the author do not make a message popular; the 10th other person does', async () => {
    const author = await registerUser(srv, 'Author');
    const room = await createRoom(author);
    const authorSock = await sockets.open(srv, author);
    const sent = await emitAck(authorSock, 'message:send', { roomId: room.id, clientMessageId: 'popular-1', body: 'react to me' });
    if (!sent.ok) throw new Error(JSON.stringify(sent));
    const messageId = sent.data.message.id;
    const key = `earn:popular_message:${messageId}`;
    const fans: TestUser[] = [];
    for (let i = 0; i < 10; i++) fans.push(await registerUser(srv, 'Fan'));
    const fanSocks = await Promise.all(fans.map((u) => sockets.open(srv, u)));
    for (const s of fanSocks) await joinRoom(s, room.id);

    const react = async (sock: (typeof fanSocks)[number], emoji = '👍') => {
      const ack = await emitAck(sock, 'message:react', { messageId, emoji, on: true });
      expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true });
      return ack;
    };
    expect(await react(authorSock)).toMatchObject({ data: { reactions: { '👍': 1 } } });
    await react(authorSock, '🎉');
    for (const s of fanSocks.slice(0, 9)) await react(s);
    // Ten distinct reactors in all, the author among them: not yet popular.
    expect(await srv.ctx.ledger.findByIdempotencyKey(key)).toBeNull();
    const before = await balanceOf(srv, author.id);

    const pushed = waitFor(authorSock, 'tokens:balance', (e) => e.balance === before + 5);
    expect(await react(fanSocks[9]!)).toMatchObject({ data: { reactions: { '👍': 11, '🎉': 1 } } });
    await pushed;
    expect(await srv.ctx.ledger.findByIdempotencyKey(key)).toMatchObject({ activity: 'popular_message', roomId: room.id });
    expect(await balanceOf(srv, author.id)).toBe(before + 5);
  });

  it('a first join refused by the daily join cap still counts: leaving and re-joining the next day earns nothing', async () => {
    const owner = await registerUser(srv, 'Owner');
    const first = await createRoom(owner, 'public', 'first');
    const second = await createRoom(owner, 'public', 'second');
    const member = await registerUser(srv, 'Member');
    const sock = await sockets.open(srv, member);
    expect(joinAward(await emitAck(sock, 'room:join', { roomId: first.id }))).toEqual({ activity: 'join_room', granted: 5 });
    // The day's one paid join is used: the first join of `second` is capped.
    expect(joinAward(await emitAck(sock, 'room:join', { roomId: second.id }))).toEqual({ activity: 'join_room', granted: 0, reason: 'ACTIVITY_CAP' });
    expect(await emitAck(sock, 'room:leave', { roomId: second.id })).toMatchObject({ ok: true });
    srv.clock.advance(DAY_MS);
    const balance = await balanceOf(srv, member.id);
    expect(joinAward(await emitAck(sock, 'room:join', { roomId: second.id }))).toEqual({ activity: 'join_room', granted: 0, reason: 'ALREADY_REWARDED' });
    expect(await balanceOf(srv, member.id)).toBe(balance);
    // The cap itself was not the reason: a room never joined before still pays today.
    const third = await createRoom(owner, 'public', 'third');
    expect(joinAward(await emitAck(sock, 'room:join', { roomId: third.id }))).toEqual({ activity: 'join_room', granted: 5 });
  });
});
