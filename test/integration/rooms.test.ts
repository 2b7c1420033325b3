import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { collect, connectError, emitAck, waitFor } from '../support/socket.js';
import { createRoom, fundToGold, joinRoom, registerUser, socketPool, waitForChannel, type TestUser } from './chat-fixtures.js';
import { fence } from '../support/fence.js';

let srv: TestServer;
const sockets = socketPool();
const UNKNOWN_ID = '01HZZZZZZZZZZZZZZZZZZZZZZZ';

beforeAll(async () => {
  srv = await startTestServer();
});
afterEach(() => sockets.closeAll());
afterAll(async () => {
  await srv.stop();
});

/** A room with an owner, a moderator and a plain member, all joined. */
async function staffedRoom(visibility: 'public' | 'private' = 'public') {
  const owner = await registerUser(srv, 'Owner');
  const mod = await registerUser(srv, 'Mod');
  const member = await registerUser(srv, 'Member');
  if (visibility === 'private') await fundToGold(srv, owner);
  const room = await createRoom(owner, visibility);
  for (const u of [mod, member]) {
    if (visibility === 'private') expect((await owner.api.post(`/api/rooms/${room.id}/invites`, { userId: u.id })).status).toBe(201);
    await joinRoom(await sockets.open(srv, u), room.id);
  }
  expect((await owner.api.post(`/api/rooms/${room.id}/moderators`, { userId: mod.id })).status).toBe(200);
  return { owner, mod, member, room };
}

describe('create, list, read', () => {
  it('creates a room owned by the caller', async () => {
    const owner = await registerUser(srv);
    const res = await owner.api.post('/api/rooms', { name: '  General ', visibility: 'public', description: 'hi' });
    expect(res.status).toBe(201);
    expect(res.body.room).toMatchObject({ name: 'General', visibility: 'public', description: 'hi', ownerId: owner.id });
    const members = await owner.api.get(`/api/rooms/${res.body.room.id}/members`);
    expect(members.body.members).toEqual([
      { user: expect.objectContaining({ id: owner.id, username: owner.username }), role: 'owner', joinedAt: expect.any(String) },
    ]);
  });

  it.each([
    ['no name', { visibility: 'public' }],
    ['a blank name', { name: '   ', visibility: 'public' }],
    ['an unknown visibility', { name: 'x', visibility: 'secret' }],
    ['a numeric name', { name: 5, visibility: 'public' }],
  ])('refuses %s', async (_what, body) => {
    const owner = await registerUser(srv);
    const res = await owner.api.post('/api/rooms', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect((await owner.api.get('/api/rooms?limit=100')).body.rooms.filter((r: { ownerId: string }) => r.ownerId === owner.id)).toEqual([]);
  });

  it('needs authentication', async () => {
    const res = await client(srv.url).post('/api/rooms', { name: 'x', visibility: 'public' });
    expect(res.status).toBe(401);
  });

  it('lists public rooms and the caller own private rooms, paged newest first', async () => {
    const a = await registerUser(srv);
    const b = await registerUser(srv);
    const pubA = await createRoom(a, 'public', 'pa');
    await fundToGold(srv, a);
    const privA = await createRoom(a, 'private', 'xa');
    await fundToGold(srv, b);
    const privB = await createRoom(b, 'private', 'xb');
    const seenBy = async (u: TestUser) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { status: number; body: { rooms: Array<{ id: string }>; nextCursor: string | null } } = await u.api.get(`/api/rooms?limit=2${cursor ? `&before=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.rooms.length).toBeLessThanOrEqual(2);
        ids.push(...res.body.rooms.map((r) => r.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      return ids;
    };
    const byA = await seenBy(a);
    expect(byA).toEqual(expect.arrayContaining([pubA.id, privA.id]));
    expect(byA).not.toContain(privB.id);
    expect([...byA].sort().reverse()).toEqual(byA);
    expect(new Set(byA).size).toBe(byA.length);
    const byB = await seenBy(b);
    expect(byB).toEqual(expect.arrayContaining([pubA.id, privB.id]));
    expect(byB).not.toContain(privA.id);
  });

  it('refuses a bad page query', async () => {
    const a = await registerUser(srv);
    expect((await a.api.get('/api/rooms?limit=abc')).body.error.code).toBe('VALIDATION_FAILED');
    expect((await a.api.get('/api/rooms?limit=0')).body.error.code).toBe('VALIDATION_FAILED');
  });

  it('hides a private room from strangers as if it did not exist', async () => {
    const owner = await registerUser(srv);
    const stranger = await registerUser(srv);
    const invitee = await registerUser(srv);
    await fundToGold(srv, owner);
    const room = await createRoom(owner, 'private');
    const unknown = await stranger.api.get(`/api/rooms/${UNKNOWN_ID}`);
    const hidden = await stranger.api.get(`/api/rooms/${room.id}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(unknown.body);
    expect((await stranger.api.get(`/api/rooms/${room.id}/members`)).body.error.code).toBe('ROOM_NOT_FOUND');
    await owner.api.post(`/api/rooms/${room.id}/invites`, { userId: invitee.id });
    const seen = await invitee.api.get(`/api/rooms/${room.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ room: { id: room.id }, role: null });
    expect((await invitee.api.get(`/api/rooms/${room.id}/members`)).body.error.code).toBe('NOT_A_MEMBER');
    expect((await owner.api.get(`/api/rooms/${room.id}`)).body.role).toBe('owner');
  });

  it('shows a public room and its members to anyone signed in', async () => {
    const owner = await registerUser(srv);
    const other = await registerUser(srv);
    const room = await createRoom(owner);
    expect((await other.api.get(`/api/rooms/${room.id}`)).body).toMatchObject({ room: { id: room.id }, role: null });
    expect((await other.api.get(`/api/rooms/${room.id}/members`)).body.members).toHaveLength(1);
  });
});

describe('join and leave', () => {
  it('announces a new member to the room, and every tab of the joiner follows the room', async () => {
    const owner = await registerUser(srv);
    const joiner = await registerUser(srv);
    const room = await createRoom(owner);
    const ownerSock = await sockets.open(srv, owner);
    await waitForChannel(srv, room.id, 1);
    const tab1 = await sockets.open(srv, joiner);
    const tab2 = await sockets.open(srv, joiner);
    const joined = waitFor(ownerSock, 'room:member-joined');
    const ack = await emitAck(tab1, 'room:join', { roomId: room.id });
    expect(ack).toEqual({ ok: true, data: { room: expect.objectContaining({ id: room.id }), role: 'member', award: expect.objectContaining({ activity: 'join_room' }) } });
    expect(await joined).toMatchObject({ roomId: room.id, member: { user: { id: joiner.id }, role: 'member' } });
    const onTab2 = waitFor(tab2, 'message:new');
    await emitAck(ownerSock, 'message:send', { roomId: room.id, clientMessageId: 'c1', body: 'welcome' });
    expect((await onTab2).body).toBe('welcome');
  });

  it('joining again announces nothing', async () => {
    const owner = await registerUser(srv);
    const joiner = await registerUser(srv);
    const room = await createRoom(owner);
    const ownerSock = await sockets.open(srv, owner);
    const s = await sockets.open(srv, joiner);
    await waitForChannel(srv, room.id, 1);
    const seen = collect(ownerSock, 'room:member-joined');
    await joinRoom(s, room.id);
    await joinRoom(s, room.id);
    await fence(srv, ownerSock);
    expect(seen).toHaveLength(1);
    expect((await owner.api.get(`/api/rooms/${room.id}/members`)).body.members).toHaveLength(2);
  });

  it('refuses unknown rooms and private rooms without an invite alike', async () => {
    const owner = await registerUser(srv);
    const stranger = await registerUser(srv);
    await fundToGold(srv, owner);
    const room = await createRoom(owner, 'private');
    const s = await sockets.open(srv, stranger);
    const hidden = await emitAck(s, 'room:join', { roomId: room.id });
    const unknown = await emitAck(s, 'room:join', { roomId: UNKNOWN_ID });
    expect(hidden).toEqual(unknown);
    expect(hidden).toMatchObject({ ok: false, error: { code: 'ROOM_NOT_FOUND' } });
    expect(await srv.ctx.stores.rooms.getMembership(room.id, stranger.id)).toBeNull();
  });

  it('lets an invitee join a private room', async () => {
    const owner = await registerUser(srv);
    const guest = await registerUser(srv);
    await fundToGold(srv, owner);
    const room = await createRoom(owner, 'private');
    expect((await owner.api.post(`/api/rooms/${room.id}/invites`, { userId: guest.id })).body).toEqual({ roomId: room.id, userId: guest.id });
    await joinRoom(await sockets.open(srv, guest), room.id);
    expect((await guest.api.get(`/api/rooms/${room.id}/members`)).status).toBe(200);
  });

  it('refuses bad join payloads', async () => {
    const u = await registerUser(srv);
    const s = await sockets.open(srv, u);
    expect(await emitAck(s, 'room:join', {} as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await emitAck(s, 'room:join', { roomId: 7 } as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('leaving tells the room and every tab of the leaver, and stops room traffic to them', async () => {
    const { owner, member, room } = await staffedRoom();
    const ownerSock = await sockets.open(srv, owner);
    const tabA = await sockets.open(srv, member);
    const tabB = await sockets.open(srv, member);
    await waitForChannel(srv, room.id, 5);
    const seenByOwner = waitFor(ownerSock, 'room:member-left');
    const seenByB = waitFor(tabB, 'room:member-left');
    expect(await emitAck(tabA, 'room:leave', { roomId: room.id })).toEqual({ ok: true, data: { roomId: room.id } });
    expect(await seenByOwner).toEqual({ roomId: room.id, userId: member.id, reason: 'left' });
    expect(await seenByB).toEqual({ roomId: room.id, userId: member.id, reason: 'left' });
    const leaked = collect(tabB, 'message:new');
    await emitAck(ownerSock, 'message:send', { roomId: room.id, clientMessageId: 'after-leave', body: 'x' });
    await fence(srv, tabB);
    expect(leaked).toEqual([]);
    expect(await emitAck(tabA, 'room:leave', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
  });

  it('the owner cannot leave', async () => {
    const owner = await registerUser(srv);
    const room = await createRoom(owner);
    const s = await sockets.open(srv, owner);
    expect(await emitAck(s, 'room:leave', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'OWNER_CANNOT_LEAVE' } });
    expect((await srv.ctx.stores.rooms.getMembership(room.id, owner.id))?.role).toBe('owner');
  });

  it('a new socket of a member joins the room channel on connect', async () => {
    const { owner, member, room } = await staffedRoom();
    const fresh = await sockets.open(srv, member);
    const ownerSock = await sockets.open(srv, owner);
    await waitForChannel(srv, room.id, 4);
    const got = waitFor(fresh, 'message:new');
    await emitAck(ownerSock, 'message:send', { roomId: room.id, clientMessageId: 'on-connect', body: 'hello' });
    expect((await got).body).toBe('hello');
  });

  it('a new socket of a private room\'s member is in the room when `connect` arrives, even with a slow store', async () => {
    const { owner, member, room } = await staffedRoom('private');
    const ownerSock = await sockets.open(srv, owner);
    const rooms = srv.ctx.stores.rooms;
    const listRoomIds = rooms.listRoomIdsOfUser.bind(rooms);
    // A store this slow would lose the race against a message sent right after `connect`, were the joins made after it.
    const slow = vi.spyOn(rooms, 'listRoomIdsOfUser').mockImplementation(async (userId) => {
      await new Promise((r) => setTimeout(r, 150));
      return listRoomIds(userId);
    });
    let fresh;
    try {
      fresh = await sockets.open(srv, member);
      expect(slow).toHaveBeenCalledWith(member.id);
    } finally {
      slow.mockRestore();
    }
    const got = waitFor(fresh, 'message:new', () => true, 1000);
    expect(await emitAck(ownerSock, 'message:send', { roomId: room.id, clientMessageId: 'right-after-connect', body: 'no join needed' })).toMatchObject({ ok: true });
    expect((await got).body).toBe('no join needed');
  });

  it('refuses the connection when the rooms of the user cannot be read, rather than open it without them', async () => {
    const u = await registerUser(srv);
    const down = vi.spyOn(srv.ctx.stores.rooms, 'listRoomIdsOfUser').mockRejectedValue(new Error('store down'));
    try {
      const err = await connectError(srv.url, { token: u.token });
      expect(err.message).toBe('INTERNAL');
      expect(err.data).toMatchObject({ code: 'INTERNAL' });
    } finally {
      down.mockRestore();
    }
    expect((await sockets.open(srv, u)).connected).toBe(true);
  });
});

describe('invites and moderators', () => {
  it('only the owner and moderators invite, and only existing users', async () => {
    const { mod, member, room } = await staffedRoom('private');
    const guest = await registerUser(srv);
    const byMember = await member.api.post(`/api/rooms/${room.id}/invites`, { userId: guest.id });
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe('NOT_ROOM_MODERATOR');
    expect(await srv.ctx.stores.rooms.hasInvite(room.id, guest.id)).toBe(false);
    expect((await mod.api.post(`/api/rooms/${room.id}/invites`, { userId: UNKNOWN_ID })).body.error.code).toBe('USER_NOT_FOUND');
    expect((await mod.api.post(`/api/rooms/${room.id}/invites`, {})).body.error.code).toBe('VALIDATION_FAILED');
    expect((await mod.api.post(`/api/rooms/${room.id}/invites`, { userId: guest.id })).status).toBe(201);
    expect((await guest.api.post(`/api/rooms/${room.id}/invites`, { userId: guest.id })).body.error.code).toBe('NOT_A_MEMBER');
    const stranger = await registerUser(srv);
    expect((await stranger.api.post(`/api/rooms/${room.id}/invites`, { userId: stranger.id })).body.error.code).toBe('ROOM_NOT_FOUND');
    expect(await srv.ctx.stores.rooms.hasInvite(room.id, stranger.id)).toBe(false);
  });

  it('the owner promotes and demotes; nobody else may', async () => {
    const { owner, mod, member, room } = await staffedRoom();
    const roleOf = async (id: string) => (await srv.ctx.stores.rooms.getMembership(room.id, id))?.role;
    expect(await roleOf(mod.id)).toBe('moderator');
    const byMod = await mod.api.post(`/api/rooms/${room.id}/moderators`, { userId: member.id });
    expect(byMod.status).toBe(403);
    expect(byMod.body.error.code).toBe('NOT_ROOM_OWNER');
    expect(await roleOf(member.id)).toBe('member');
    const outsider = await registerUser(srv);
    expect((await owner.api.post(`/api/rooms/${room.id}/moderators`, { userId: outsider.id })).body.error.code).toBe('TARGET_NOT_A_MEMBER');
    expect((await owner.api.post(`/api/rooms/${room.id}/moderators`, { userId: owner.id })).body.error.code).toBe('CANNOT_TARGET_OWNER');
    expect((await owner.api.del(`/api/rooms/${room.id}/moderators/${owner.id}`)).body.error.code).toBe('CANNOT_TARGET_OWNER');
    const demoted = await owner.api.del(`/api/rooms/${room.id}/moderators/${mod.id}`);
    expect(demoted.status).toBe(200);
    expect(demoted.body.member).toMatchObject({ user: { id: mod.id }, role: 'member' });
    expect((await mod.api.del(`/api/rooms/${room.id}/moderators/${member.id}`)).body.error.code).toBe('NOT_ROOM_OWNER');
    const members = (await owner.api.get(`/api/rooms/${room.id}/members`)).body.members as Array<{ user: { id: string }; role: string }>;
    expect(Object.fromEntries(members.map((m) => [m.user.id, m.role]))).toEqual({ [owner.id]: 'owner', [mod.id]: 'member', [member.id]: 'member' });
  });

  it('refuses moderator changes in unknown rooms', async () => {
    const u = await registerUser(srv);
    expect((await u.api.post(`/api/rooms/${UNKNOWN_ID}/moderators`, { userId: u.id })).body.error.code).toBe('ROOM_NOT_FOUND');
  });
});

describe('kick and ban', () => {
  it('a moderator kicks a member: everyone is told, the member stops receiving, and may come back', async () => {
    const { owner, mod, member, room } = await staffedRoom();
    const ownerSock = await sockets.open(srv, owner);
    const victim = await sockets.open(srv, member);
    await waitForChannel(srv, room.id, 4);
    const toRoom = waitFor(ownerSock, 'room:member-left');
    const toVictim = waitFor(victim, 'room:member-left');
    const res = await mod.api.post(`/api/rooms/${room.id}/kick`, { userId: member.id });
    expect(res.status).toBe(200);
    expect(await toRoom).toEqual({ roomId: room.id, userId: member.id, reason: 'kicked' });
    expect(await toVictim).toEqual({ roomId: room.id, userId: member.id, reason: 'kicked' });
    const leaked = collect(victim, 'message:new');
    await emitAck(ownerSock, 'message:send', { roomId: room.id, clientMessageId: 'after-kick', body: 'x' });
    await fence(srv, victim);
    expect(leaked).toEqual([]);
    expect(await emitAck(victim, 'message:send', { roomId: room.id, clientMessageId: 'k', body: 'x' })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    await joinRoom(victim, room.id);
  });

  it('enforces who may kick whom', async () => {
    const { owner, mod, member, room } = await staffedRoom();
    const mod2 = await registerUser(srv);
    await joinRoom(await sockets.open(srv, mod2), room.id);
    await owner.api.post(`/api/rooms/${room.id}/moderators`, { userId: mod2.id });
    const kick = (by: TestUser, target: string) => by.api.post(`/api/rooms/${room.id}/kick`, { userId: target });
    expect((await kick(member, mod.id)).body.error.code).toBe('NOT_ROOM_MODERATOR');
    expect((await kick(mod, owner.id)).body.error.code).toBe('CANNOT_TARGET_OWNER');
    expect((await kick(owner, owner.id)).body.error.code).toBe('CANNOT_TARGET_OWNER');
    expect((await kick(mod, mod2.id)).body.error.code).toBe('CANNOT_TARGET_MODERATOR');
    const outsider = await registerUser(srv);
    expect((await kick(mod, outsider.id)).body.error.code).toBe('TARGET_NOT_A_MEMBER');
    expect((await srv.ctx.stores.rooms.listMemberIds(room.id)).sort()).toEqual([owner.id, mod.id, member.id, mod2.id].sort());
    expect((await kick(owner, mod2.id)).status).toBe(200);
    expect(await srv.ctx.stores.rooms.getMembership(room.id, mod2.id)).toBeNull();
  });

  it('a ban removes the member and blocks rejoining until lifted', async () => {
    const { owner, mod, member, room } = await staffedRoom();
    const victim = await sockets.open(srv, member);
    await waitForChannel(srv, room.id, 3);
    const told = waitFor(victim, 'room:member-left');
    const res = await mod.api.post(`/api/rooms/${room.id}/bans`, { userId: member.id });
    expect(res.status).toBe(201);
    expect(await told).toEqual({ roomId: room.id, userId: member.id, reason: 'banned' });
    expect(await emitAck(victim, 'room:join', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'BANNED_FROM_ROOM' } });
    expect(await srv.ctx.stores.rooms.getMembership(room.id, member.id)).toBeNull();
    expect((await owner.api.del(`/api/rooms/${room.id}/bans/${member.id}`)).body).toEqual({ roomId: room.id, userId: member.id, lifted: true });
    expect((await owner.api.del(`/api/rooms/${room.id}/bans/${member.id}`)).body.lifted).toBe(false);
    await joinRoom(victim, room.id);
  });

  it('bans a non-member pre-emptively, but not unknown users, the owner or (by a moderator) moderators', async () => {
    const { owner, mod, member, room } = await staffedRoom();
    const outsider = await registerUser(srv);
    expect((await mod.api.post(`/api/rooms/${room.id}/bans`, { userId: outsider.id })).status).toBe(201);
    expect(await emitAck(await sockets.open(srv, outsider), 'room:join', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'BANNED_FROM_ROOM' } });
    expect((await mod.api.post(`/api/rooms/${room.id}/bans`, { userId: UNKNOWN_ID })).body.error.code).toBe('USER_NOT_FOUND');
    expect((await mod.api.post(`/api/rooms/${room.id}/bans`, { userId: owner.id })).body.error.code).toBe('CANNOT_TARGET_OWNER');
    expect((await member.api.post(`/api/rooms/${room.id}/bans`, { userId: mod.id })).body.error.code).toBe('NOT_ROOM_MODERATOR');
    expect((await member.api.del(`/api/rooms/${room.id}/bans/${outsider.id}`)).body.error.code).toBe('NOT_ROOM_MODERATOR');
    expect(await srv.ctx.stores.rooms.isBanned(room.id, outsider.id)).toBe(true);
    expect(await srv.ctx.stores.rooms.isBanned(room.id, owner.id)).toBe(false);
  });
});
