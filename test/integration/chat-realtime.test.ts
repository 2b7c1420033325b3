import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { startTestServer, type TestServer } from '../support/server.js';
import { collect, emitAck, waitFor, type TestSocket } from '../support/socket.js';
import type { MessageView } from '../../shared/events.js';
import { chatRoom, createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';

/**
 * Issue 10 on one node (in-memory adapter): typing, presence and reconnecting without loss
 * (connection state recovery after a cut transport, and the durable catch-up route).
 */
let srv: TestServer;
const sockets = socketPool();
const TYPING_TTL_MS = 4000;

beforeAll(async () => {
  srv = await startTestServer({ env: { TYPING_TTL_MS: String(TYPING_TTL_MS), TYPING_THROTTLE_MS: '60000' } });
});
afterEach(() => sockets.closeAll());
afterAll(async () => {
  await srv.stop();
});

let seq = 0;
async function say(socket: TestSocket, roomId: string, body: string): Promise<MessageView> {
  const ack = await emitAck(socket, 'message:send', { roomId, clientMessageId: `rt-${++seq}`, body });
  if (!ack.ok) throw new Error(JSON.stringify(ack));
  return ack.data.message;
}

/** A socket that does not reconnect by itself, so the test decides when the gap ends. */
async function connectManual(url: string, token: string): Promise<TestSocket> {
  const socket: TestSocket = ioClient(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

describe('typing', () => {
  it('relays to the other members with an expiry, not to the typist, and throttles a flood', async () => {
    const { member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const ownSeen = collect(memberSock, 'typing');
    const got = waitFor(ownerSock, 'typing');
    const before = Date.now();
    const ack = await emitAck(memberSock, 'typing', { roomId: room.id });
    expect(ack).toMatchObject({ ok: true, data: { roomId: room.id } });
    const event = await got;
    expect(event).toEqual({ roomId: room.id, user: expect.objectContaining({ id: member.id, username: member.username }), expiresAt: ack.ok ? ack.data.expiresAt : '' });
    const ttl = Date.parse(event.expiresAt) - before;
    expect(ttl).toBeGreaterThanOrEqual(TYPING_TTL_MS - 50);
    expect(ttl).toBeLessThanOrEqual(TYPING_TTL_MS + 5000);
    const flood = await emitAck(memberSock, 'typing', { roomId: room.id });
    expect(flood).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } } });
    // The owner's own notice is relayed (another user, another throttle key); the member saw none of their own.
    const back = waitFor(memberSock, 'typing');
    await emitAck(ownerSock, 'typing', { roomId: room.id });
    await back;
    expect(ownSeen).toHaveLength(1);
    expect(ownSeen[0]!.user.id).not.toBe(member.id);
  });

  it('refuses non-members (and hides private rooms) and bad payloads', async () => {
    const { room } = await chatRoom(srv, sockets);
    const priv = await chatRoom(srv, sockets, 'private');
    const outsider = await registerUser(srv, 'Typist');
    const s = await sockets.open(srv, outsider);
    expect(await emitAck(s, 'typing', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await emitAck(s, 'typing', { roomId: priv.room.id })).toMatchObject({ ok: false, error: { code: 'ROOM_NOT_FOUND' } });
    expect(await emitAck(s, 'typing', {} as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('presence', () => {
  it('announces the first socket online and the last one offline, once each; member lists carry online', async () => {
    const owner = await registerUser(srv, 'Host');
    const guest = await registerUser(srv, 'Guest');
    const room = await createRoom(owner);
    const ownerSock = await sockets.open(srv, owner);
    const first = await connectManual(srv.url, guest.token);
    await joinRoom(first, room.id);
    const seen = collect(ownerSock, 'presence');
    const second = await connectManual(srv.url, guest.token);
    first.close();
    const members = async (u: TestUser) => (await u.api.get(`/api/rooms/${room.id}/members`)).body.members as Array<{ user: { id: string }; online: boolean }>;
    const offline = waitFor(ownerSock, 'presence', (e) => e.userId === guest.id && !e.online);
    second.close();
    await offline;
    // Neither the second socket's connect nor the first one's close was announced.
    expect(seen).toEqual([{ userId: guest.id, online: false }]);
    expect((await members(owner)).find((m) => m.user.id === guest.id)?.online).toBe(false);
    const online = waitFor(ownerSock, 'presence', (e) => e.userId === guest.id && e.online);
    const third = await sockets.open(srv, guest);
    await online;
    expect((await members(owner)).map((m) => [m.user.id, m.online]).sort()).toEqual([[guest.id, true], [owner.id, true]].sort());
    expect(third.connected).toBe(true);
  });
});

describe('reconnect without loss', () => {
  it('a cut transport recovers: every missed event arrives exactly once, then live events go on', async () => {
    const owner = await registerUser(srv, 'Talker');
    const reader = await registerUser(srv, 'Reader');
    const room = await createRoom(owner);
    const ownerSock = await sockets.open(srv, owner);
    const readerSock = await connectManual(srv.url, reader.token);
    await joinRoom(readerSock, room.id);
    const got = collect(readerSock, 'message:new');
    const updates = collect(readerSock, 'message:updated');
    const m0Seen = waitFor(readerSock, 'message:new');
    const m0 = await say(ownerSock, room.id, 'before the cut');
    await m0Seen;
    // Cut the transport under the client (a network drop), and wait until the server noticed.
    const gone = waitFor(ownerSock, 'presence', (e) => e.userId === reader.id && !e.online);
    readerSock.io.engine.close();
    await gone;
    const missed = [await say(ownerSock, room.id, 'missed 1'), await say(ownerSock, room.id, 'missed 2')];
    await emitAck(ownerSock, 'message:edit', { messageId: m0.id, body: 'before the cut, edited' });
    const back = new Promise<void>((resolve) => readerSock.once('connect', () => resolve()));
    readerSock.connect();
    await back;
    expect(readerSock.recovered).toBe(true);
    const live = waitFor(readerSock, 'message:new', (m) => m.body === 'after');
    await say(ownerSock, room.id, 'after');
    await live;
    expect(got.map((m) => m.body)).toEqual(['before the cut', 'missed 1', 'missed 2', 'after']);
    expect(got.map((m) => m.id).slice(1, 3)).toEqual(missed.map((m) => m.id));
    expect(updates.map((m) => m.id)).toEqual([m0.id]);
    readerSock.close();
  });

  it('a room the user was removed from during the gap is not recovered, nor its missed messages', async () => {
    const owner = await registerUser(srv, 'Mod');
    const reader = await registerUser(srv, 'Kicked');
    const kept = await createRoom(owner, 'public', 'kept');
    const lost = await createRoom(owner, 'public', 'lost');
    const ownerSock = await sockets.open(srv, owner);
    const readerSock = await connectManual(srv.url, reader.token);
    await joinRoom(readerSock, kept.id);
    await joinRoom(readerSock, lost.id);
    const got = collect(readerSock, 'message:new');
    const left = collect(readerSock, 'room:member-left');
    const gone = waitFor(ownerSock, 'presence', (e) => e.userId === reader.id && !e.online);
    readerSock.io.engine.close();
    await gone;
    expect((await owner.api.post(`/api/rooms/${lost.id}/kick`, { userId: reader.id })).status).toBe(200);
    await say(ownerSock, lost.id, 'said after the kick');
    await say(ownerSock, kept.id, 'missed in kept');
    const back = new Promise<void>((resolve) => readerSock.once('connect', () => resolve()));
    readerSock.connect();
    await back;
    expect(readerSock.recovered).toBe(true);
    await say(ownerSock, lost.id, 'later in lost');
    const marker = waitFor(readerSock, 'message:new', (m) => m.body === 'marker');
    await say(ownerSock, kept.id, 'marker');
    await marker;
    expect(got.map((m) => m.body)).toEqual(['missed in kept', 'marker']);
    // The kick itself still reaches the kicked user.
    expect(left).toEqual([{ roomId: lost.id, userId: reader.id, reason: 'kicked' }]);
    readerSock.close();
  });

  it('after a longer gap (no recovery), the catch-up route returns what was missed, once', async () => {
    const { member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const lastSeen = await say(ownerSock, room.id, 'last seen');
    memberSock.close();
    const m1 = await say(ownerSock, room.id, 'while away');
    await emitAck(ownerSock, 'message:delete', { messageId: lastSeen.id });
    const fresh = await sockets.open(srv, member);
    expect(fresh.recovered).toBe(false);
    const res = await member.api.get(`/api/rooms/${room.id}/messages?after=${lastSeen.id}`);
    expect(res.body.messages.map((m: MessageView) => m.id)).toEqual([m1.id]);
    expect(res.body.changes).toEqual([expect.objectContaining({ id: lastSeen.id, deletedAt: expect.any(String) })]);
  });
});
