import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { collect, emitAck, waitFor, type TestSocket } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool, waitForChannel, type TestUser } from './chat-fixtures.js';
import { fence } from '../support/fence.js';
import { balanceOf, rid } from './gifts-fixtures.js';

/** Moderator room rewards over real sockets with real Redis: who may reward whom, the daily budget, the room event, the list. */
let srv: TestServer;
const pool = socketPool();

beforeAll(async () => {
  srv = await startTestServer({ redis: true });
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await srv.stop();
});

interface Room {
  id: string;
  owner: TestUser;
  mod: TestUser;
  member: TestUser;
  ownerSocket: TestSocket;
  modSocket: TestSocket;
  memberSocket: TestSocket;
}

/** A room with its owner, a promoted moderator and a plain member, all connected and joined. */
async function roomWithStaff(): Promise<Room> {
  const owner = await registerUser(srv, 'owner');
  const mod = await registerUser(srv, 'mod');
  const member = await registerUser(srv, 'member');
  const room = await createRoom(owner);
  const ownerSocket = await pool.open(srv, owner);
  const modSocket = await pool.open(srv, mod);
  const memberSocket = await pool.open(srv, member);
  await joinRoom(modSocket, room.id);
  await joinRoom(memberSocket, room.id);
  expect((await owner.api.post(`/api/rooms/${room.id}/moderators`, { userId: mod.id })).status).toBe(200);
  await waitForChannel(srv, room.id, 3);
  return { id: room.id, owner, mod, member, ownerSocket, modSocket, memberSocket };
}

const reward = (socket: TestSocket, p: { roomId: string; userId: string; amount: number; reason?: string; requestId?: string }) =>
  emitAck(socket, 'room:reward', { reason: 'great answer', requestId: rid('r'), ...p });

describe('room:reward', () => {
  it('the owner rewards a member: a grant from issuance, the room sees it, outsiders do not', async () => {
    const r = await roomWithStaff();
    const outsider = await registerUser(srv, 'outsider');
    const outsiderSocket = await pool.open(srv, outsider);
    const outsiderSeen = collect(outsiderSocket, 'room:rewarded');
    const before = await balanceOf(r.member);
    const arrivals = [r.ownerSocket, r.modSocket, r.memberSocket].map((s) => waitFor(s, 'room:rewarded'));
    const ack = await reward(r.ownerSocket, { roomId: r.id, userId: r.member.id, amount: 30, reason: 'helped a newcomer' });
    expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true, data: { roomId: r.id, to: { id: r.member.id }, amount: 30, reason: 'helped a newcomer', budgetLeft: 170 } });
    for (const e of await Promise.all(arrivals)) {
      expect(e).toMatchObject({ roomId: r.id, by: { id: r.owner.id }, to: { id: r.member.id }, amount: 30, reason: 'helped a newcomer' });
    }
    await fence(srv, outsiderSocket);
    expect(outsiderSeen).toHaveLength(0);
    expect(await balanceOf(r.member)).toBe(before + 30);
    const history = await r.member.api.get(`/api/tokens/history/${r.member.id}?kind=grant`);
    expect(history.body.items).toEqual([expect.objectContaining({ kind: 'grant', amount: 30, actorId: r.owner.id, roomId: r.id, message: 'helped a newcomer' })]);
    expect((await srv.ctx.ledger.audit()).ok).toBe(true);
  });

  it('a moderator may reward, within the daily budget of the room (200)', async () => {
    const r = await roomWithStaff();
    const other = await registerUser(srv, 'other');
    await joinRoom(await pool.open(srv, other), r.id);
    for (const [socket, to] of [
      [r.modSocket, r.member],
      [r.ownerSocket, other],
      [r.modSocket, other],
      [r.ownerSocket, r.mod],
    ] as const) {
      expect(await reward(socket, { roomId: r.id, userId: to.id, amount: 50 })).toMatchObject({ ok: true });
    }
    const before = await balanceOf(r.member);
    const over = await reward(r.modSocket, { roomId: r.id, userId: r.member.id, amount: 1 });
    expect(over).toMatchObject({ ok: false, error: { code: 'ROOM_BUDGET_EXHAUSTED', details: { budgetLeft: 0, budget: 200 } } });
    expect(await balanceOf(r.member)).toBe(before);
    const usage = await srv.ctx.counters.budgets.usage({ scope: 'room-reward', key: r.id, at: srv.ctx.clock.now() });
    expect(usage).toEqual({ count: 4, tokens: 200 });
  });

  it('a partial budget refuses a reward larger than what is left', async () => {
    const r = await roomWithStaff();
    for (let i = 0; i < 3; i++) expect(await reward(r.ownerSocket, { roomId: r.id, userId: r.member.id, amount: 50 })).toMatchObject({ ok: true });
    expect(await reward(r.ownerSocket, { roomId: r.id, userId: r.member.id, amount: 40 })).toMatchObject({ ok: true, data: { budgetLeft: 10 } });
    expect(await reward(r.ownerSocket, { roomId: r.id, userId: r.member.id, amount: 11 })).toMatchObject({ ok: false, error: { code: 'ROOM_BUDGET_EXHAUSTED', details: { budgetLeft: 10 } } });
    expect(await reward(r.ownerSocket, { roomId: r.id, userId: r.member.id, amount: 10 })).toMatchObject({ ok: true, data: { budgetLeft: 0 } });
  });

  it('is idempotent by requestId: one grant, one use of the budget, one event', async () => {
    const r = await roomWithStaff();
    const before = await balanceOf(r.member);
    const seen = collect(r.memberSocket, 'room:rewarded');
    const payload = { roomId: r.id, userId: r.member.id, amount: 20, requestId: rid('same') };
    const acks = await Promise.all([reward(r.ownerSocket, payload), reward(r.ownerSocket, payload), reward(r.ownerSocket, payload)]);
    expect(acks.every((a) => a.ok)).toBe(true);
    expect(new Set(acks.map((a) => (a.ok ? a.data.grantId : '')))).toHaveProperty('size', 1);
    const again = await reward(r.ownerSocket, payload);
    expect(again).toMatchObject({ ok: true, data: { amount: 20, budgetLeft: 180 } });
    await fence(srv, r.memberSocket);
    expect(seen).toHaveLength(1);
    expect(await balanceOf(r.member)).toBe(before + 20);
    expect(await srv.ctx.counters.budgets.usage({ scope: 'room-reward', key: r.id, at: srv.ctx.clock.now() })).toEqual({ count: 1, tokens: 20 });
    expect(await reward(r.ownerSocket, { ...payload, amount: 21 })).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
  });

  it('refuses members, self-rewards, banned and absent recipients, and too large amounts, changing nothing', async () => {
    const r = await roomWithStaff();
    const outsider = await registerUser(srv, 'notin');
    const roomBanned = await registerUser(srv, 'rbanned');
    await joinRoom(await pool.open(srv, roomBanned), r.id);
    expect((await r.owner.api.post(`/api/rooms/${r.id}/bans`, { userId: roomBanned.id })).status).toBeLessThan(300);
    const accountBanned = await registerUser(srv, 'abanned');
    await joinRoom(await pool.open(srv, accountBanned), r.id);
    await srv.ctx.stores.users.setBanned(accountBanned.id, srv.ctx.clock.now());
    const cases: Array<[TestSocket, Record<string, unknown>, string]> = [
      [r.memberSocket, { userId: r.mod.id, amount: 5 }, 'NOT_ROOM_MODERATOR'],
      [r.modSocket, { userId: r.mod.id, amount: 5 }, 'CANNOT_REWARD_SELF'],
      [r.ownerSocket, { userId: r.owner.id, amount: 5 }, 'CANNOT_REWARD_SELF'],
      [r.ownerSocket, { userId: roomBanned.id, amount: 5 }, 'RECIPIENT_BANNED'],
      [r.ownerSocket, { userId: accountBanned.id, amount: 5 }, 'RECIPIENT_BANNED'],
      [r.ownerSocket, { userId: outsider.id, amount: 5 }, 'TARGET_NOT_A_MEMBER'],
      [r.ownerSocket, { userId: 'no-such-user', amount: 5 }, 'USER_NOT_FOUND'],
      [r.ownerSocket, { userId: r.member.id, amount: 51 }, 'INVALID_AMOUNT'],
      [r.ownerSocket, { userId: r.member.id, amount: 0 }, 'VALIDATION_FAILED'],
      [r.ownerSocket, { userId: r.member.id, amount: 5, reason: '' }, 'VALIDATION_FAILED'],
    ];
    const balances = async () => Promise.all([r.member, r.mod, r.owner, roomBanned, outsider].map(balanceOf));
    const before = await balances();
    for (const [socket, p, code] of cases) {
      const ack = await reward(socket, { roomId: r.id, ...(p as { userId: string; amount: number }) });
      expect(ack, `${code}: ${JSON.stringify(ack)}`).toMatchObject({ ok: false, error: { code } });
    }
    const outsiderSocket = await pool.open(srv, outsider);
    expect(await reward(outsiderSocket, { roomId: r.id, userId: r.member.id, amount: 5 })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await balances()).toEqual(before);
    expect(await srv.ctx.counters.budgets.usage({ scope: 'room-reward', key: r.id, at: srv.ctx.clock.now() })).toEqual({ count: 0, tokens: 0 });
  });
});

describe('GET /api/rooms/:id/rewards', () => {
  it("lists the room's grants newest first, to members only", async () => {
    const r = await roomWithStaff();
    const elsewhere = await createRoom(r.owner);
    await joinRoom(r.memberSocket, elsewhere.id);
    expect(await reward(r.ownerSocket, { roomId: r.id, userId: r.member.id, amount: 5, reason: 'first' })).toMatchObject({ ok: true });
    expect(await reward(r.modSocket, { roomId: r.id, userId: r.member.id, amount: 6, reason: 'second' })).toMatchObject({ ok: true });
    expect(await reward(r.ownerSocket, { roomId: r.id, userId: r.mod.id, amount: 7, reason: 'third' })).toMatchObject({ ok: true });
    expect(await reward(r.ownerSocket, { roomId: elsewhere.id, userId: r.member.id, amount: 8, reason: 'other room' })).toMatchObject({ ok: true });

    const res = await r.member.api.get(`/api/rooms/${r.id}/rewards`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { reason: string }) => i.reason)).toEqual(['third', 'second', 'first']);
    expect(res.body.items[1]).toMatchObject({ roomId: r.id, by: { id: r.mod.id }, to: { id: r.member.id }, amount: 6 });

    const page1 = await r.member.api.get(`/api/rooms/${r.id}/rewards?limit=2`);
    expect(page1.body.items.map((i: { reason: string }) => i.reason)).toEqual(['third', 'second']);
    expect(page1.body.nextCursor).toBe(page1.body.items[1].grantId);
    const page2 = await r.member.api.get(`/api/rooms/${r.id}/rewards?limit=2&before=${page1.body.nextCursor}`);
    expect(page2.body.items.map((i: { reason: string }) => i.reason)).toEqual(['first']);
    expect(page2.body.nextCursor).toBeNull();

    // A newer grant in another room must not hide this room's older ones.
    expect(await reward(r.ownerSocket, { roomId: r.id, userId: r.member.id, amount: 9, reason: 'fourth' })).toMatchObject({ ok: true });
    const other = await r.member.api.get(`/api/rooms/${elsewhere.id}/rewards?limit=1`);
    expect(other.body.items.map((i: { reason: string }) => i.reason)).toEqual(['other room']);
    expect(other.body.nextCursor).toBeNull();

    const outsider = await registerUser(srv, 'peek');
    const refused = await outsider.api.get(`/api/rooms/${r.id}/rewards`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('NOT_A_MEMBER');
  });

  it('still lists a grant to a member who has since left the room', async () => {
    const r = await roomWithStaff();
    expect(await reward(r.ownerSocket, { roomId: r.id, userId: r.member.id, amount: 4, reason: 'before leaving' })).toMatchObject({ ok: true });
    expect(await reward(r.ownerSocket, { roomId: r.id, userId: r.mod.id, amount: 3, reason: 'stays' })).toMatchObject({ ok: true });
    expect(await emitAck(r.memberSocket, 'room:leave', { roomId: r.id })).toMatchObject({ ok: true });
    expect(await srv.ctx.stores.rooms.getMembership(r.id, r.member.id)).toBeNull();
    const res = await r.owner.api.get(`/api/rooms/${r.id}/rewards`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { reason: string; to: { id: string } }) => [i.reason, i.to.id])).toEqual([
      ['stays', r.mod.id],
      ['before leaving', r.member.id],
    ]);
  });
});
