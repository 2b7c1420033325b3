import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../support/http.js';
import { fence } from '../support/fence.js';
import type { TestServer } from '../support/server.js';
import { wireFence, type NodeProcess } from '../support/node-process.js';
import { useNodePair } from '../support/node-pair.js';
import { collect, emitAck, waitFor } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { balanceOf, startEarningServer, uploadFile, type EarningServer } from './earning-fixtures.js';
import { fundTo, makeAdmin, overridesFile, sendGift, setPin } from './gifts-fixtures.js';
import { chatter, expectAuditOk, NO_SWEEP } from './seasons-fixtures.js';

const sockets = socketPool();
afterEach(() => sockets.closeAll());

/** The goal bonus paid to `userId` for `goalId` (grant entries of the ledger). */
async function goalPaid(srv: TestServer, userId: string, goalId: string): Promise<number> {
  const page = await srv.ctx.ledger.history(userId, { kind: 'grant', limit: 100 });
  return page.items.filter((e) => e.metadata['goalId'] === goalId).reduce((s, e) => s + (e.legs.find((l) => l.amount > 0)?.amount ?? 0), 0);
}

describe('room goals on one node', () => {
  let srv: EarningServer;
  let admin: TestUser;
  beforeAll(async () => {
    srv = await startEarningServer(NO_SWEEP);
    admin = await makeAdmin(srv);
  });
  afterAll(() => srv.stop());

  it('refuses what moderators alone may do, bad bodies, a second active goal and a bonus past the budget', async () => {
    const owner = await registerUser(srv, 'go');
    const member = await registerUser(srv, 'gm');
    const outsider = await registerUser(srv, 'gx');
    const room = await createRoom(owner);
    await joinRoom(await sockets.open(srv, member), room.id);
    const body = { target: 10, durationMinutes: 10 };
    expect((await owner.api.get(`/api/rooms/${room.id}/goal`)).body.error.code).toBe('GOAL_NOT_FOUND');
    expect((await owner.api.del(`/api/rooms/${room.id}/goal`)).body.error.code).toBe('GOAL_NOT_FOUND');
    expect((await member.api.post(`/api/rooms/${room.id}/goal`, body)).body.error.code).toBe('NOT_ROOM_MODERATOR');
    expect((await owner.api.post(`/api/rooms/${room.id}/goal`, { ...body, target: 0 })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await owner.api.post(`/api/rooms/${room.id}/goal`, { ...body, extra: 1 })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await owner.api.post(`/api/rooms/${room.id}/goal`, { ...body, bonusTokens: 201 })).body.error.code).toBe('ROOM_BUDGET_EXHAUSTED');
    expect((await owner.api.post('/api/rooms/nope/goal', body)).body.error.code).toBe('ROOM_NOT_FOUND');
    const set = await owner.api.post(`/api/rooms/${room.id}/goal`, { ...body, bonusTokens: 150 });
    expect(set.status, JSON.stringify(set.body)).toBe(201);
    const again = await owner.api.post(`/api/rooms/${room.id}/goal`, body);
    expect(again.body.error).toMatchObject({ code: 'GOAL_ALREADY_ACTIVE', details: { goalId: set.body.goal.goalId } });
    expect((await outsider.api.get(`/api/rooms/${room.id}/goal`)).body.error.code).toBe('NOT_A_MEMBER');
    expect((await member.api.del(`/api/rooms/${room.id}/goal`)).body.error.code).toBe('NOT_ROOM_MODERATOR');
    // The first bonus took 150 of today's 200: the room's rewards see it.
    expect((await srv.ctx.counters.budgets.usage({ scope: 'room-reward', key: room.id, at: srv.clock.now() })).tokens).toBe(150);
    expect((await owner.api.post(`/api/rooms/${room.id}/goal`, { ...body, bonusTokens: 51 })).body.error.code).toBe('GOAL_ALREADY_ACTIVE');
    const cancelled = await owner.api.del(`/api/rooms/${room.id}/goal`);
    expect(cancelled.body.goal.status).toBe('cancelled');
    // Cancelled, never reached: its bonus is back in today's budget, once (a second cancel finds no goal).
    expect((await srv.ctx.counters.budgets.usage({ scope: 'room-reward', key: room.id, at: srv.clock.now() })).tokens).toBe(0);
    expect((await owner.api.del(`/api/rooms/${room.id}/goal`)).body.error.code).toBe('GOAL_NOT_FOUND');
    expect((await srv.ctx.counters.budgets.usage({ scope: 'room-reward', key: room.id, at: srv.clock.now() })).tokens).toBe(0);
    expect((await owner.api.post(`/api/rooms/${room.id}/goal`, { ...body, bonusTokens: 201 })).body.error.code).toBe('ROOM_BUDGET_EXHAUSTED');
    expect((await owner.api.post(`/api/rooms/${room.id}/goal`, { ...body, bonusTokens: 200 })).status).toBe(201);
  });

  it('messages, gifts and files fill the goal live, each level extends the deadline, and reaching it pays the bonus once', async () => {
    const owner = await registerUser(srv, 'ho');
    const member = await registerUser(srv, 'hm');
    await setPin(owner);
    await fundTo(admin, owner, 100);
    const room = await createRoom(owner);
    const ownerSock = await sockets.open(srv, owner);
    const memberSock = await sockets.open(srv, member);
    await joinRoom(memberSock, room.id);
    const progress = collect(memberSock, 'room:goal');
    const setEvent = waitFor(memberSock, 'room:goal', (g) => g.points === 0);
    const set = await owner.api.post(`/api/rooms/${room.id}/goal`, { target: 12, durationMinutes: 10, bonusTokens: 9, title: 'Hype' });
    expect(set.status).toBe(201);
    const goalId = set.body.goal.goalId as string;
    expect(await setEvent).toMatchObject({ goalId, target: 12, level: 0, levels: 4, status: 'active', title: 'Hype' });
    const deadline0 = Date.parse(set.body.goal.deadline);

    const threePoints = waitFor(memberSock, 'room:goal', (g) => g.points === 3);
    await chatter(memberSock, room.id, 3, 'goal-m'); // 3 points: level 1 (3/12 = 1/4)
    const afterMessages = await threePoints;
    expect(afterMessages.level).toBe(1);
    expect(Date.parse(afterMessages.deadline)).toBe(deadline0 + 120_000);
    expect(afterMessages.topContributors).toEqual([{ user: expect.objectContaining({ id: member.id }), points: 3 }]);

    const sevenPoints = waitFor(memberSock, 'room:goal', (g) => g.points === 7);
    const gift = await sendGift(ownerSock, { toUserId: member.id, amount: 4, roomId: room.id }); // 4 points: 7, level 2
    expect(gift.ok, JSON.stringify(gift)).toBe(true);
    const afterGift = await sevenPoints;
    expect(afterGift.level).toBe(2);
    expect(afterGift.topContributors.map((c) => [c.user.id, c.points])).toEqual([[owner.id, 4], [member.id, 3]]);

    const before = [await balanceOf(srv, owner.id), await balanceOf(srv, member.id)];
    const reached = waitFor(memberSock, 'room:goal-reached');
    const fileId = await uploadFile(srv, member);
    const share = await emitAck(memberSock, 'file:share', { roomId: room.id, fileId }); // 5 points: 12, reached
    expect(share.ok, JSON.stringify(share)).toBe(true);
    const done = await reached;
    // member 8 points, owner 4 of 12: 9 x 8/12 = 6, 9 x 4/12 = 3.
    expect(done.goal).toMatchObject({ goalId, points: 12, level: 4, status: 'reached' });
    expect(done.payouts).toEqual([{ userId: member.id, tokens: 6 }, { userId: owner.id, tokens: 3 }]);
    expect(await goalPaid(srv, member.id, goalId)).toBe(6);
    expect(await goalPaid(srv, owner.id, goalId)).toBe(3);

    // Nothing more counts once reached; a read does not pay again.
    await chatter(memberSock, room.id, 2, 'goal-late');
    expect((await member.api.get(`/api/rooms/${room.id}/goal`)).body.goal).toMatchObject({ points: 12, status: 'reached' });
    expect(await goalPaid(srv, member.id, goalId)).toBe(6);
    const earnedSince = (await balanceOf(srv, member.id)) - before[1]!;
    expect(earnedSince).toBeGreaterThanOrEqual(6);
    await fence(srv, memberSock);
    expect(progress.filter((g) => g.status === 'reached')).toHaveLength(1);
    await expectAuditOk(srv);
  });

  it('a goal past its deadline expires: contributions stop and a new goal may be set', async () => {
    const owner = await registerUser(srv, 'eo');
    const room = await createRoom(owner);
    const sock = await sockets.open(srv, owner);
    await owner.api.post(`/api/rooms/${room.id}/goal`, { target: 100, durationMinutes: 1 });
    await chatter(sock, room.id, 1, 'exp-1');
    srv.clock.advance(2 * 60_000);
    await chatter(sock, room.id, 1, 'exp-2');
    expect((await owner.api.get(`/api/rooms/${room.id}/goal`)).body.goal).toMatchObject({ points: 1, status: 'expired' });
    expect((await owner.api.del(`/api/rooms/${room.id}/goal`)).body.error.code).toBe('GOAL_NOT_FOUND');
    const next = await owner.api.post(`/api/rooms/${room.id}/goal`, { target: 5, durationMinutes: 1 });
    expect(next.status).toBe(201);
  });
});

/**
 * Node B is a separate process (server/main.ts, issue 15), reached only over HTTP and sockets; both
 * nodes run on the real clock (a process cannot share a manual one), which this race never moves.
 * Payouts and the audit are read on node A, which shares B's store.
 */
describe('room goals on two nodes sharing Redis and the database', () => {
  let a: TestServer;
  let b: NodeProcess;
  useNodePair({ ECONOMY_OVERRIDES_FILE: overridesFile(NO_SWEEP) }, (nodes) => void ({ a, b } = nodes));

  it('contributions racing past the target on both nodes complete the goal once and pay the bonus once', async () => {
    const owner = await registerUser(a, 'ro');
    const room = await createRoom(owner);
    const users = [owner, ...(await Promise.all([1, 2, 3].map(() => registerUser(a, 'rm'))))];
    const socks = [];
    for (const [i, u] of users.entries()) {
      const s = await sockets.open(i % 2 === 0 ? a : b, u);
      if (i > 0) await joinRoom(s, room.id);
      socks.push(s);
    }
    const set = await owner.api.post(`/api/rooms/${room.id}/goal`, { target: 6, durationMinutes: 10, bonusTokens: 10 });
    expect(set.status).toBe(201);
    const goalId = set.body.goal.goalId as string;
    const reachedOnA = collect(socks[0]!, 'room:goal-reached');
    const reachedOnB = collect(socks[1]!, 'room:goal-reached');
    const firstReached = waitFor(socks[1]!, 'room:goal-reached');
    // 8 messages at once (2 per user) for a target of 6: the extra ones arrive after it is reached.
    await Promise.all(socks.map((s, i) => chatter(s, room.id, 2, `race-${i}`)));
    const reached = await firstReached;
    const paid = await Promise.all(users.map((u) => goalPaid(a, u.id, goalId)));
    expect(paid.reduce((x, y) => x + y, 0)).toBe(10);
    expect(reached.payouts.reduce((x, p) => x + p.tokens, 0)).toBe(10);
    expect(reached.goal.points).toBe(6);
    const onB = client(b.url, users[1]!.token);
    expect((await onB.get(`/api/rooms/${room.id}/goal`)).body.goal).toMatchObject({ status: 'reached', points: 6 });
    // Both paths to each socket: node A's through the Redis adapter, and B's own connection.
    await fence(a, socks[0]!, socks[1]!);
    await wireFence(socks[1]!);
    expect(reachedOnA).toHaveLength(1);
    expect(reachedOnB).toHaveLength(1);
    await expectAuditOk(a);
  });
});
