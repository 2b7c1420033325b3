import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client, request } from '../support/http.js';
import { collect, emitAck, waitFor } from '../support/socket.js';
import { createRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { fence } from '../support/fence.js';
import { overridesFile, sendGift, setPin, fundTo, makeAdmin } from './gifts-fixtures.js';

/** Direct messages (docs/chat.md "Direct messages"): one room per pair, fixed members, no awards. */
let srv: TestServer;
let admin: TestUser;
const sockets = socketPool();
const UNKNOWN_ID = '01HZZZZZZZZZZZZZZZZZZZZZZZ';

beforeAll(async () => {
  // Bronze may own one room, so a DM counting toward rooms_max would show at once.
  srv = await startTestServer({ env: { ECONOMY_OVERRIDES_FILE: overridesFile({ tiers: { benefits: { bronze: { roomsMax: 1 } } } }) } });
  admin = await makeAdmin(srv);
});
afterEach(() => sockets.closeAll());
afterAll(async () => srv.stop());

const balance = async (u: TestUser): Promise<number> => (await srv.ctx.ledger.account(u.id)).balance;

describe('opening a direct room', () => {
  it('creates the one room of a pair, both members, and tells both users live', async () => {
    const alice = await registerUser(srv, 'alice');
    const bob = await registerUser(srv, 'bob');
    const [aSock, bSock] = [await sockets.open(srv, alice), await sockets.open(srv, bob)];
    const aliceHears = waitFor(aSock, 'dm:opened');
    const bobHears = waitFor(bSock, 'dm:opened');
    const before = [await balance(alice), await balance(bob)];

    const res = await alice.api.post('/api/dms', { userId: bob.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ created: true, room: { visibility: 'private', ownerId: '', name: '', customization: null, peer: { id: bob.id, username: bob.username } } });
    const roomId = res.body.room.id as string;
    expect((await aliceHears).room).toMatchObject({ id: roomId, peer: { id: bob.id } });
    expect((await bobHears).room).toMatchObject({ id: roomId, peer: { id: alice.id } });

    const members = await bob.api.get(`/api/rooms/${roomId}/members`);
    expect(members.body.members.map((m: { user: { id: string }; role: string }) => [m.user.id, m.role]).sort()).toEqual([[alice.id, 'member'], [bob.id, 'member']].sort());
    // No create_room, no join_room: nothing was paid to either.
    expect([await balance(alice), await balance(bob)]).toEqual(before);

    // Already in the channel: a message from bob reaches alice without any room:join.
    const got = waitFor(aSock, 'message:new', (m) => m.roomId === roomId);
    const ack = await emitAck(bSock, 'message:send', { roomId, clientMessageId: 'hi-1', body: 'hi alice' });
    expect(ack).toMatchObject({ ok: true });
    expect((await got).body).toBe('hi alice');
  });

  it('answers the same room from either side, again and again, without a second announcement', async () => {
    const alice = await registerUser(srv, 'alice');
    const bob = await registerUser(srv, 'bob');
    const first = await alice.api.post('/api/dms', { userId: bob.id });
    const bSock = await sockets.open(srv, bob);
    const announced = collect(bSock, 'dm:opened');
    const again = await bob.api.post('/api/dms', { userId: alice.id });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, room: { id: first.body.room.id, peer: { id: alice.id } } });
    await fence(srv, bSock);
    expect(announced).toEqual([]);
  });

  it('gives one room to a burst of concurrent calls from both sides', async () => {
    const alice = await registerUser(srv, 'alice');
    const bob = await registerUser(srv, 'bob');
    const calls = Array.from({ length: 12 }, (_, i) => (i % 2 ? alice.api.post('/api/dms', { userId: bob.id }) : bob.api.post('/api/dms', { userId: alice.id })));
    const results = await Promise.all(calls);
    expect(new Set(results.map((r) => r.body.room.id)).size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    expect((await alice.api.get('/api/dms')).body.dms).toHaveLength(1);
  });

  it.each([
    ['no userId', {}],
    ['a numeric userId', { userId: 7 }],
    ['an empty userId', { userId: '' }],
  ])('refuses %s', async (_what, body) => {
    const alice = await registerUser(srv, 'alice');
    const res = await alice.api.post('/api/dms', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect((await alice.api.get('/api/dms')).body.dms).toEqual([]);
  });

  it('refuses a DM to oneself and to a non-user, and needs authentication', async () => {
    const alice = await registerUser(srv, 'alice');
    const self = await alice.api.post('/api/dms', { userId: alice.id });
    expect(self.status).toBe(400);
    expect(self.body.error.code).toBe('CANNOT_DM_SELF');
    const nobody = await alice.api.post('/api/dms', { userId: UNKNOWN_ID });
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe('USER_NOT_FOUND');
    expect((await alice.api.get('/api/dms')).body.dms).toEqual([]);
    expect((await client(srv.url).post('/api/dms', { userId: alice.id })).status).toBe(401);
    expect((await client(srv.url).get('/api/dms')).status).toBe(401);
  });
});

describe('a direct room stays between its two members', () => {
  async function dm() {
    const alice = await registerUser(srv, 'alice');
    const bob = await registerUser(srv, 'bob');
    const carol = await registerUser(srv, 'carol');
    const res = await alice.api.post('/api/dms', { userId: bob.id });
    return { alice, bob, carol, roomId: res.body.room.id as string };
  }

  it('is invisible to anyone else: no read, no join, no history', async () => {
    const { carol, roomId } = await dm();
    expect((await carol.api.get(`/api/rooms/${roomId}`)).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await carol.api.get(`/api/rooms/${roomId}/messages`)).status).toBe(404);
    const ack = await emitAck(await sockets.open(srv, carol), 'room:join', { roomId });
    expect(ack).toMatchObject({ ok: false, error: { code: 'ROOM_NOT_FOUND' } });
  });

  it('cannot be invited to, moderated, left, renamed, transferred or deleted', async () => {
    const { alice, bob, carol, roomId } = await dm();
    const refusals = [
      await alice.api.post(`/api/rooms/${roomId}/invites`, { userId: carol.id }),
      await alice.api.post(`/api/rooms/${roomId}/kick`, { userId: bob.id }),
      await alice.api.post(`/api/rooms/${roomId}/bans`, { userId: bob.id }),
      await alice.api.post(`/api/rooms/${roomId}/owner`, { userId: bob.id }),
      await alice.api.del(`/api/rooms/${roomId}`),
      await request(srv.url, 'PATCH', `/api/rooms/${roomId}`, { token: alice.token, body: { name: 'ours' } }),
    ];
    for (const r of refusals) expect([r.status, r.body.error.code]).toEqual([409, 'DIRECT_ROOM_FIXED']);
    const leave = await emitAck(await sockets.open(srv, bob), 'room:leave', { roomId });
    expect(leave).toMatchObject({ ok: false, error: { code: 'DIRECT_ROOM_FIXED' } });
    const members = await alice.api.get(`/api/rooms/${roomId}/members`);
    expect(members.body.members).toHaveLength(2);
    expect((await carol.api.get(`/api/rooms/${roomId}/members`)).body.error.code).toBe('ROOM_NOT_FOUND');
  });

  it('carries gifts like a room does', async () => {
    const { alice, bob, roomId } = await dm();
    await setPin(alice);
    await fundTo(admin, alice, 50);
    const bSock = await sockets.open(srv, bob);
    const received = waitFor(bSock, 'gift:received');
    const ack = await sendGift(await sockets.open(srv, alice), { toUserId: bob.id, amount: 5, roomId });
    expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true, data: { gift: { roomId, amount: 5 } } });
    expect((await received).roomId).toBe(roomId);
  });
});

describe('listing', () => {
  it('lists DMs newest first with the other member, pages, and keeps them off the room list and the rooms limit', async () => {
    const alice = await registerUser(srv, 'alice');
    const peers = [await registerUser(srv, 'p1'), await registerUser(srv, 'p2'), await registerUser(srv, 'p3')];
    const opened: string[] = [];
    for (const p of peers) opened.push((await alice.api.post('/api/dms', { userId: p.id })).body.room.id);

    const page1 = await alice.api.get('/api/dms?limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.dms.map((d: { id: string; peer: { id: string } }) => [d.id, d.peer.id])).toEqual([
      [opened[2], peers[2]!.id],
      [opened[1], peers[1]!.id],
    ]);
    expect(page1.body.nextCursor).toBe(opened[1]);
    const page2 = await alice.api.get(`/api/dms?limit=2&before=${page1.body.nextCursor}`);
    expect(page2.body).toMatchObject({ dms: [{ id: opened[0], peer: { id: peers[0]!.id } }], nextCursor: null });
    // Seen from the other side, the peer is alice.
    expect((await peers[0]!.api.get('/api/dms')).body.dms).toMatchObject([{ id: opened[0], peer: { id: alice.id, username: alice.username } }]);

    const rooms = await alice.api.get('/api/rooms?limit=100');
    expect(rooms.body.rooms.filter((r: { id: string }) => opened.includes(r.id))).toEqual([]);
    // Three DMs, and bronze (rooms_max 1 here) may still create its one room.
    const mine = await createRoom(alice);
    expect(mine.ownerId).toBe(alice.id);
    expect((await alice.api.post('/api/rooms', { name: 'two', visibility: 'public' })).body.error.code).toBe('ROOM_LIMIT_REACHED');
  });

  it('gives each DM the caller’s unread and mention counts, which room:read clears', async () => {
    const alice = await registerUser(srv, 'alice');
    const bob = await registerUser(srv, 'bob');
    const roomId = (await alice.api.post('/api/dms', { userId: bob.id })).body.room.id as string;
    const bSock = await sockets.open(srv, bob);
    const sent: string[] = [];
    for (const body of ['hi', `@${alice.username} are you there?`]) {
      const ack = await emitAck(bSock, 'message:send', { roomId, clientMessageId: `dm-${sent.length}`, body });
      expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true });
      sent.push((ack as { data: { message: { id: string } } }).data.message.id);
    }
    expect((await alice.api.get('/api/dms')).body.dms).toMatchObject([{ id: roomId, unread: 2, mentions: 1 }]);
    // The author has nothing unread in it (own messages never are).
    expect((await bob.api.get('/api/dms')).body.dms).toMatchObject([{ id: roomId, unread: 0, mentions: 0 }]);
    const read = await emitAck(await sockets.open(srv, alice), 'room:read', { roomId, messageId: sent[1]! });
    expect(read).toMatchObject({ ok: true, data: { unread: 0, mentions: 0 } });
    expect((await alice.api.get('/api/dms')).body.dms).toMatchObject([{ id: roomId, unread: 0, mentions: 0 }]);
  });

  it('refuses a bad page query', async () => {
    const alice = await registerUser(srv, 'alice');
    expect((await alice.api.get('/api/dms?limit=0')).body.error.code).toBe('VALIDATION_FAILED');
  });
});
