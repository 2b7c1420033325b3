import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import type { NodeProcess } from '../support/node-process.js';
import { useNodePair } from '../support/node-pair.js';
import { emitAck, type TestSocket } from '../support/socket.js';
import { ManualClock } from '../../server/lib/clock.js';
import { createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { as } from './engagement-fixtures.js';
import { makeAdmin, overridesFile, rid } from './gifts-fixtures.js';
import { freshUser, HOUR_MS } from './integrity-fixtures.js';

/**
 * Issue 9, row 1: an owner rewards their own alt account across many rooms. Replayed on the
 * embedded default (SQLite, in-process counters) and on two nodes sharing Redis: whatever the
 * number of rooms, the alt receives at most `recipientDailyTokens` a day and the owner grants at
 * most `granterDailyTokens` a day; refused rewards use up no budget; the award gate and the room
 * opening rule (age, independent members) apply to every reward. On two nodes, node B is a
 * separate process (server/main.ts, issue 15) with the same limits, reached only over sockets; the
 * shared counters, balances and audit are read on node A.
 */
const LIMITS = { roomRewards: { recipientDailyTokens: 100, granterDailyTokens: 150 } };

const reward = (socket: TestSocket, p: { roomId: string; userId: string; amount: number; requestId?: string }) =>
  emitAck(socket, 'room:reward', { reason: 'for the alt', requestId: rid('rw'), ...p });

const balance = async (srv: TestServer, userId: string): Promise<number> => (await srv.ctx.ledger.account(userId)).balance;

/** The owner creates `count` rooms, the alt joins each; returns their ids. */
async function roomsWithAlt(owner: TestUser, altSocket: TestSocket, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const room = await createRoom(owner, 'public', `farm-${i}`);
    await joinRoom(altSocket, room.id);
    ids.push(room.id);
  }
  return ids;
}

describe('room rewards on the embedded default (SQLite, in-process counters)', () => {
  const clock = new ManualClock('2026-03-02T08:00:00.000Z');
  let srv: TestServer;
  const pool = socketPool();
  beforeAll(async () => {
    srv = await startTestServer({ clock, env: { ECONOMY_OVERRIDES_FILE: overridesFile(LIMITS) } });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    await srv.stop();
  });

  it('the row-1 attack: six rooms of 50 each move 100 to the alt, not 300; refusals take no room budget', async () => {
    const owner = await registerUser(srv, 'farmer');
    const alt = await registerUser(srv, 'alt');
    const ownerSocket = await pool.open(srv, owner);
    const altSocket = await pool.open(srv, alt);
    const rooms = await roomsWithAlt(owner, altSocket, 6);
    const before = await balance(srv, alt.id);

    const acks = [];
    for (const roomId of rooms) acks.push(await reward(ownerSocket, { roomId, userId: alt.id, amount: 50 }));
    expect(acks.filter((a) => a.ok)).toHaveLength(2);
    for (const refused of acks.slice(2)) expect(refused).toMatchObject({ ok: false, error: { code: 'REWARD_RECIPIENT_CAP_REACHED', details: { remainingTokens: 0, cap: 100 } } });
    expect((await balance(srv, alt.id)) - before).toBe(100);

    // A refused reward gave its room budget back: the third room's budget is untouched.
    expect(await srv.ctx.counters.budgets.usage({ scope: 'room-reward', key: rooms[2]!, at: clock.now() })).toEqual({ count: 0, tokens: 0 });
    expect((await srv.ctx.ledger.audit()).ok).toBe(true);
  });

  it('a second alt: the granter limit over all rooms stops the owner at 150 a day; the next UTC day opens again', async () => {
    const owner = await registerUser(srv, 'farmer2');
    const alts = [await registerUser(srv, 'altA'), await registerUser(srv, 'altB')];
    const ownerSocket = await pool.open(srv, owner);
    const rooms: string[] = [];
    for (const alt of alts) rooms.push(...(await roomsWithAlt(owner, await pool.open(srv, alt), 2)));
    // altA: 50 + 50 (its cap), altB: 50, then the owner's 150 are spent.
    expect(await reward(ownerSocket, { roomId: rooms[0]!, userId: alts[0]!.id, amount: 50 })).toMatchObject({ ok: true });
    expect(await reward(ownerSocket, { roomId: rooms[1]!, userId: alts[0]!.id, amount: 50 })).toMatchObject({ ok: true });
    expect(await reward(ownerSocket, { roomId: rooms[2]!, userId: alts[1]!.id, amount: 50 })).toMatchObject({ ok: true });
    expect(await reward(ownerSocket, { roomId: rooms[3]!, userId: alts[1]!.id, amount: 1 })).toMatchObject({ ok: false, error: { code: 'REWARD_GRANTER_CAP_REACHED', details: { remainingTokens: 0, cap: 150 } } });

    clock.advance(24 * HOUR_MS);
    const fresh = await pool.open(srv, freshUser(srv, owner));
    expect(await reward(fresh, { roomId: rooms[3]!, userId: alts[1]!.id, amount: 1 })).toMatchObject({ ok: true });
  });

  it('a recipient with an earning suspension is refused by the award gate, and so are admin awards and achievement claims', async () => {
    const admin = await makeAdmin(srv);
    const owner = await registerUser(srv, 'owner');
    const member = await registerUser(srv, 'member');
    const ownerSocket = await pool.open(srv, owner);
    const [roomId] = await roomsWithAlt(owner, await pool.open(srv, member), 1);
    // The penalty ladder: a warning, then a 24 h earning suspension.
    for (const step of ['w', 's']) {
      const res = await as(srv, admin, 'admin').post('/api/admin/penalties', { userId: member.id, reason: 'farming', requestId: `${member.id}-${step}` });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const before = await balance(srv, member.id);
    expect(await reward(ownerSocket, { roomId: roomId!, userId: member.id, amount: 5 })).toMatchObject({ ok: false, error: { code: 'RECIPIENT_NOT_ELIGIBLE', details: { reason: 'EARNING_SUSPENDED' } } });
    const award = await as(srv, admin, 'admin').post('/api/tokens/award', { userId: member.id, amount: 5, reason: 'x', requestId: rid('aw') });
    expect(award.status).toBe(409);
    expect(award.body.error).toMatchObject({ code: 'RECIPIENT_NOT_ELIGIBLE', details: { reason: 'EARNING_SUSPENDED' } });
    const claim = await as(srv, member).post('/api/achievements/claim', { achievementId: 'first_message' });
    expect(claim.body.error?.code).toBe('RECIPIENT_NOT_ELIGIBLE');
    expect(await balance(srv, member.id)).toBe(before);
    // Nothing of the room's budget was taken by the refused reward.
    expect(await srv.ctx.counters.budgets.usage({ scope: 'room-reward', key: roomId!, at: clock.now() })).toEqual({ count: 0, tokens: 0 });
  });
});

describe('room opening rule: minimum age and independent members', () => {
  const clock = new ManualClock('2026-03-02T08:00:00.000Z');
  let srv: TestServer;
  const pool = socketPool();
  beforeAll(async () => {
    const overrides = { roomRewards: { roomMinAgeHours: 24, roomMinActiveMembers: 2 }, peerAwards: { minAccountAgeHours: 24, minMessagesSent: 1, excludeLinkedAccounts: true } };
    srv = await startTestServer({ clock, env: { ECONOMY_OVERRIDES_FILE: overridesFile(overrides) } });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    await srv.stop();
  });

  const fresh = (u: TestUser): TestUser => freshUser(srv, u);

  it("a new room, or one whose other members are the owner's invitees, new or silent accounts, mints nothing", async () => {
    const owner = await registerUser(srv, 'opener');
    const alt = await registerUser(srv, 'alt');
    const invitee = await registerUser(srv, 'inv', { inviteCode: (await as(srv, owner).get('/api/users/me')).body.user.inviteCode });
    const stranger = await registerUser(srv, 'stranger');
    const room = await createRoom(owner);
    for (const u of [alt, invitee, stranger]) await joinRoom(await pool.open(srv, u), room.id);

    const ownerSocket = await pool.open(srv, owner);
    expect(await reward(ownerSocket, { roomId: room.id, userId: alt.id, amount: 5 })).toMatchObject({
      ok: false,
      error: { code: 'ROOM_REWARDS_NOT_OPEN', details: { ageHours: 0, minAgeHours: 24, activeMembers: 0, minActiveMembers: 2 } },
    });

    clock.advance(25 * HOUR_MS);
    pool.closeAll();
    // Old enough now, but the stranger has sent nothing and the invitee is linked to the owner.
    const strangerSocket = await pool.open(srv, fresh(stranger));
    expect(await emitAck(strangerSocket, 'message:send', { roomId: room.id, clientMessageId: rid('m'), body: 'hello all' })).toMatchObject({ ok: true });
    const inviteeSocket = await pool.open(srv, fresh(invitee));
    expect(await emitAck(inviteeSocket, 'message:send', { roomId: room.id, clientMessageId: rid('m'), body: 'hi' })).toMatchObject({ ok: true });
    const ownerAgain = await pool.open(srv, fresh(owner));
    const refused = await reward(ownerAgain, { roomId: room.id, userId: alt.id, amount: 5 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ROOM_REWARDS_NOT_OPEN', details: { ageHours: 25, activeMembers: 1 } } });

    // A second independent, active member opens the budget.
    const other = await registerUser(srv, 'other');
    clock.advance(25 * HOUR_MS);
    const otherSocket = await pool.open(srv, fresh(other));
    await joinRoom(otherSocket, room.id);
    expect(await emitAck(otherSocket, 'message:send', { roomId: room.id, clientMessageId: rid('m'), body: 'present' })).toMatchObject({ ok: true });
    const ownerLater = await pool.open(srv, fresh(owner));
    expect(await reward(ownerLater, { roomId: room.id, userId: alt.id, amount: 5 })).toMatchObject({ ok: true, data: { amount: 5 } });
  });
});

describe('room rewards on two nodes over Redis', () => {
  let a: TestServer;
  let b: NodeProcess;
  const pool = socketPool();
  useNodePair({ ECONOMY_OVERRIDES_FILE: overridesFile(LIMITS) }, (nodes) => void ({ a, b } = nodes));
  afterEach(() => pool.closeAll());

  it('rewards to one alt from eight rooms, sent at once through both nodes, move exactly the recipient limit', async () => {
    const owner = await registerUser(a, 'nfarmer');
    const alt = await registerUser(a, 'nalt');
    const altSocket = await pool.open(a, alt);
    const rooms = await roomsWithAlt(owner, altSocket, 8);
    const onA = await pool.open(a, owner);
    const onB = await pool.open(b, owner);
    const before = await balance(a, alt.id);

    const acks = await Promise.all(rooms.map((roomId, i) => reward(i % 2 === 0 ? onA : onB, { roomId, userId: alt.id, amount: 30 })));
    // 100 / 30: three rewards fit, every other one is refused by the shared per-recipient counter.
    expect(acks.filter((x) => x.ok)).toHaveLength(3);
    for (const x of acks.filter((y) => !y.ok)) expect(x).toMatchObject({ error: { code: 'REWARD_RECIPIENT_CAP_REACHED' } });
    expect((await balance(a, alt.id)) - before).toBe(90);
    expect(await a.ctx.counters.budgets.usage({ scope: 'reward-recipient', key: alt.id, at: new Date() })).toEqual({ count: 3, tokens: 90 });
    expect(await a.ctx.counters.budgets.usage({ scope: 'reward-granter', key: owner.id, at: new Date() })).toEqual({ count: 3, tokens: 90 });
    expect((await a.ctx.ledger.audit()).ok).toBe(true);
  });
});
