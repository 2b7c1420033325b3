import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { emitAck, waitFor } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { overridesFile } from './gifts-fixtures.js';

/** Owner-only room management (docs/chat.md "Room management"): rename, describe, transfer, delete. */
let srv: TestServer;
const sockets = socketPool();

beforeAll(async () => {
  // Bronze may own two rooms, so a transfer to someone at the limit is quick to set up.
  srv = await startTestServer({ env: { ECONOMY_OVERRIDES_FILE: overridesFile({ tiers: { benefits: { bronze: { roomsMax: 2 } } } }) } });
});
afterEach(() => sockets.closeAll());
afterAll(async () => srv.stop());

const patch = (u: TestUser, path: string, body: unknown) => request(srv.url, 'PATCH', path, { token: u.token, body });

async function roomWithMembers() {
  const owner = await registerUser(srv, 'owner');
  const mod = await registerUser(srv, 'mod');
  const member = await registerUser(srv, 'member');
  const room = await createRoom(owner, 'public', 'before');
  const memberSock = await sockets.open(srv, member);
  await joinRoom(memberSock, room.id);
  await joinRoom(await sockets.open(srv, mod), room.id);
  expect((await owner.api.post(`/api/rooms/${room.id}/moderators`, { userId: mod.id })).status).toBe(200);
  return { owner, mod, member, room, memberSock };
}

describe('rename and describe', () => {
  it('lets the owner change name and description; members hear it', async () => {
    const { owner, room, memberSock } = await roomWithMembers();
    const heard = waitFor(memberSock, 'room:updated');
    const res = await patch(owner, `/api/rooms/${room.id}`, { name: '  after ', description: 'what we talk about' });
    expect(res.status).toBe(200);
    expect(res.body.room).toMatchObject({ id: room.id, name: 'after', description: 'what we talk about', ownerId: owner.id });
    expect(await heard).toMatchObject({ roomId: room.id, by: owner.id, room: { name: 'after', description: 'what we talk about' } });
    const onlyDescription = await patch(owner, `/api/rooms/${room.id}`, { description: '' });
    expect(onlyDescription.body.room).toMatchObject({ name: 'after', description: '' });
    expect((await owner.api.get(`/api/rooms/${room.id}`)).body.room).toMatchObject({ name: 'after', description: '' });
  });

  it.each([
    ['an empty body', {}],
    ['a blank name', { name: '   ' }],
    ['a name too long', { name: 'x'.repeat(81) }],
    ['a description too long', { description: 'x'.repeat(501) }],
    ['an unknown field', { name: 'ok', visibility: 'private' }],
  ])('refuses %s and changes nothing', async (_what, body) => {
    const { owner, room } = await roomWithMembers();
    const res = await patch(owner, `/api/rooms/${room.id}`, body);
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await owner.api.get(`/api/rooms/${room.id}`)).body.room).toMatchObject({ name: 'before', visibility: 'public' });
  });

  it('refuses moderators, members and outsiders', async () => {
    const { mod, member, room } = await roomWithMembers();
    const outsider = await registerUser(srv, 'out');
    expect((await patch(mod, `/api/rooms/${room.id}`, { name: 'x' })).body.error.code).toBe('NOT_ROOM_OWNER');
    expect((await patch(member, `/api/rooms/${room.id}`, { name: 'x' })).body.error.code).toBe('NOT_ROOM_OWNER');
    expect((await patch(outsider, `/api/rooms/${room.id}`, { name: 'x' })).body.error.code).toBe('NOT_A_MEMBER');
    expect((await patch(outsider, '/api/rooms/01HZZZZZZZZZZZZZZZZZZZZZZZ', { name: 'x' })).body.error.code).toBe('ROOM_NOT_FOUND');
  });
});

describe('transfer ownership', () => {
  it('makes a member the owner and the old owner a moderator; members hear it', async () => {
    const { owner, member, room, memberSock } = await roomWithMembers();
    const heard = waitFor(memberSock, 'room:owner-changed');
    const res = await owner.api.post(`/api/rooms/${room.id}/owner`, { userId: member.id });
    expect(res.status).toBe(200);
    expect(res.body.room).toMatchObject({ id: room.id, ownerId: member.id });
    expect(await heard).toEqual({ roomId: room.id, from: owner.id, to: member.id });
    const roles = (await member.api.get(`/api/rooms/${room.id}/members`)).body.members.map((m: { user: { id: string }; role: string }) => [m.user.id, m.role]);
    expect(roles).toEqual(expect.arrayContaining([[member.id, 'owner'], [owner.id, 'moderator']]));
    // The new owner now manages it; the old one no longer can.
    expect((await patch(member, `/api/rooms/${room.id}`, { name: 'mine' })).status).toBe(200);
    expect((await patch(owner, `/api/rooms/${room.id}`, { name: 'back' })).body.error.code).toBe('NOT_ROOM_OWNER');
    // And the former owner may now leave.
    expect(await emitAck(await sockets.open(srv, owner), 'room:leave', { roomId: room.id })).toMatchObject({ ok: true });
  });

  it('refuses non-owners, non-members, oneself, and a new owner at their tier room limit', async () => {
    const { owner, mod, member, room } = await roomWithMembers();
    const outsider = await registerUser(srv, 'out');
    expect((await mod.api.post(`/api/rooms/${room.id}/owner`, { userId: member.id })).body.error.code).toBe('NOT_ROOM_OWNER');
    expect((await owner.api.post(`/api/rooms/${room.id}/owner`, { userId: outsider.id })).body.error.code).toBe('TARGET_NOT_A_MEMBER');
    expect((await owner.api.post(`/api/rooms/${room.id}/owner`, { userId: owner.id })).body.error.code).toBe('CANNOT_TARGET_OWNER');
    expect((await owner.api.post(`/api/rooms/${room.id}/owner`, {})).body.error.code).toBe('VALIDATION_FAILED');
    await createRoom(member, 'public', 'm1');
    await createRoom(member, 'public', 'm2');
    const full = await owner.api.post(`/api/rooms/${room.id}/owner`, { userId: member.id });
    expect([full.status, full.body.error.code]).toEqual([403, 'ROOM_LIMIT_REACHED']);
    expect((await owner.api.get(`/api/rooms/${room.id}`)).body.room.ownerId).toBe(owner.id);
  });

  it('moves ownership once when two transfers race', async () => {
    const { owner, mod, member, room } = await roomWithMembers();
    const [a, b] = await Promise.all([
      owner.api.post(`/api/rooms/${room.id}/owner`, { userId: member.id }),
      owner.api.post(`/api/rooms/${room.id}/owner`, { userId: mod.id }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 403]);
    const owners = (await owner.api.get(`/api/rooms/${room.id}/members`)).body.members.filter((m: { role: string }) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  });
});

describe('delete', () => {
  it('deletes the room for everyone; members hear it and leave its channel', async () => {
    const { owner, member, room, memberSock } = await roomWithMembers();
    const heard = waitFor(memberSock, 'room:deleted');
    const res = await owner.api.del(`/api/rooms/${room.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ roomId: room.id, deleted: true });
    expect(await heard).toEqual({ roomId: room.id, by: owner.id });
    expect((await member.api.get(`/api/rooms/${room.id}`)).body.error.code).toBe('ROOM_NOT_FOUND');
    expect(await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: 'after', body: 'anyone?' })).toMatchObject({ ok: false, error: { code: 'ROOM_NOT_FOUND' } });
    expect(await srv.io.in(`room:${room.id}`).fetchSockets()).toHaveLength(0);
    // The slot is free again (rooms_max 2 here).
    await createRoom(owner, 'public', 'again');
    await createRoom(owner, 'public', 'again2');
  });

  it('refuses moderators and members', async () => {
    const { mod, member, room } = await roomWithMembers();
    expect((await mod.api.del(`/api/rooms/${room.id}`)).body.error.code).toBe('NOT_ROOM_OWNER');
    expect((await member.api.del(`/api/rooms/${room.id}`)).body.error.code).toBe('NOT_ROOM_OWNER');
    expect((await member.api.get(`/api/rooms/${room.id}`)).status).toBe(200);
  });
});
