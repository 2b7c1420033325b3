import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { collect, emitAck, emitRaw, waitFor } from '../support/socket.js';
import { chatRoom, registerUser, socketPool } from './chat-fixtures.js';
import { fence } from '../support/fence.js';

let srv: TestServer;
const sockets = socketPool();
const BODY_MAX = 64;
const PAGE_MAX = 5;
const UNKNOWN_ID = '01HZZZZZZZZZZZZZZZZZZZZZZZ';

beforeAll(async () => {
  srv = await startTestServer({ env: { MESSAGE_BODY_MAX_BYTES: String(BODY_MAX), HISTORY_PAGE_MAX: String(PAGE_MAX) } });
});
afterEach(() => sockets.closeAll());
afterAll(async () => {
  await srv.stop();
});

const countMessages = async (roomId: string) => (await srv.ctx.stores.messages.listByRoom(roomId, { limit: 1000 })).items.length;

describe('message:send', () => {
  it('stores the message, acks it and tells the room', async () => {
    const { owner, member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const got = waitFor(ownerSock, 'message:new');
    const ack = await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: 'm-1', body: 'hello 👋' });
    expect(ack).toEqual({
      ok: true,
      data: {
        message: {
          id: expect.any(String),
          roomId: room.id,
          clientMessageId: 'm-1',
          author: expect.objectContaining({ id: member.id, username: member.username }),
          kind: 'text',
          body: 'hello 👋',
          file: null,
          reactions: {},
          createdAt: expect.any(String),
        },
        award: expect.objectContaining({ activity: 'send_message' }),
      },
    });
    if (!ack.ok) throw new Error('unreachable');
    expect(await got).toEqual(ack.data.message);
    expect(owner.id).not.toBe(member.id);
  });

  it('stores a retried clientMessageId once and does not broadcast it again', async () => {
    const { room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const seen = collect(ownerSock, 'message:new');
    const first = await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: 'retry-me', body: 'once' });
    const again = await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: 'retry-me', body: 'once' });
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) throw new Error('unreachable');
    expect(again.data.message.id).toBe(first.data.message.id);
    await fence(srv, ownerSock);
    expect(seen.map((m) => m.id)).toEqual([first.data.message.id]);
    expect(await countMessages(room.id)).toBe(1);
    // Another user may use the same client id: it is per author.
    const other = await emitAck(ownerSock, 'message:send', { roomId: room.id, clientMessageId: 'retry-me', body: 'mine' });
    expect(other.ok && other.data.message.id !== first.data.message.id).toBe(true);
  });

  it('limits the body in UTF-8 bytes, not characters', async () => {
    const { room, memberSock } = await chatRoom(srv, sockets);
    const exact = await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: 'exact', body: 'a'.repeat(BODY_MAX) });
    expect(exact.ok).toBe(true);
    // 22 characters, 66 bytes.
    const tooBig = await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: 'big', body: '€'.repeat(22) });
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LARGE', details: { maxBytes: BODY_MAX } } });
    expect(await countMessages(room.id)).toBe(1);
  });

  it('refuses non-members, unknown rooms and hidden private rooms', async () => {
    const { room } = await chatRoom(srv, sockets);
    const { room: privateRoom } = await chatRoom(srv, sockets, 'private');
    const outsider = await registerUser(srv, 'Out');
    const s = await sockets.open(srv, outsider);
    expect(await emitAck(s, 'message:send', { roomId: room.id, clientMessageId: 'x', body: 'hi' })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await emitAck(s, 'message:send', { roomId: UNKNOWN_ID, clientMessageId: 'x', body: 'hi' })).toMatchObject({ ok: false, error: { code: 'ROOM_NOT_FOUND' } });
    expect(await emitAck(s, 'message:send', { roomId: privateRoom.id, clientMessageId: 'x', body: 'hi' })).toMatchObject({ ok: false, error: { code: 'ROOM_NOT_FOUND' } });
    expect(await countMessages(room.id)).toBe(0);
    expect(await countMessages(privateRoom.id)).toBe(0);
  });

  it.each([
    ['a missing body', { roomId: 'r', clientMessageId: 'c' }],
    ['an empty body', { roomId: 'r', clientMessageId: 'c', body: '' }],
    ['a numeric body', { roomId: 'r', clientMessageId: 'c', body: 12 }],
    ['a missing clientMessageId', { roomId: 'r', body: 'x' }],
    ['a null roomId', { roomId: null, clientMessageId: 'c', body: 'x' }],
  ])('refuses %s with VALIDATION_FAILED', async (_what, payload) => {
    const u = await registerUser(srv);
    const s = await sockets.open(srv, u);
    const ack = await emitRaw(s, 'message:send', payload);
    expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it.each([['a string', 'hello'], ['a number', 42], ['null', null], ['an array', [1, 2]]])('refuses %s as payload', async (_what, payload) => {
    const u = await registerUser(srv);
    const s = await sockets.open(srv, u);
    expect(await emitRaw(s, 'message:send', payload)).toMatchObject({ ok: false, error: { code: 'PAYLOAD_NOT_OBJECT' } });
  });
});

describe('history', () => {
  it('pages newest first for members, capped by HISTORY_PAGE_MAX', async () => {
    const { owner, member, room, memberSock } = await chatRoom(srv, sockets);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const ack = await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: `h${i}`, body: `msg ${i}` });
      if (!ack.ok) throw new Error(JSON.stringify(ack));
      ids.push(ack.data.message.id);
    }
    const first = await member.api.get(`/api/rooms/${room.id}/messages?limit=3`);
    expect(first.status).toBe(200);
    expect(first.body.messages.map((m: { id: string }) => m.id)).toEqual(ids.slice(-3).reverse());
    expect(first.body.messages[0]).toMatchObject({ body: 'msg 6', author: { id: member.id } });
    const second = await member.api.get(`/api/rooms/${room.id}/messages?limit=3&before=${first.body.nextCursor}`);
    expect(second.body.messages.map((m: { id: string }) => m.id)).toEqual(ids.slice(1, 4).reverse());
    const capped = await owner.api.get(`/api/rooms/${room.id}/messages?limit=50`);
    expect(capped.body.messages).toHaveLength(PAGE_MAX);
    expect((await owner.api.get(`/api/rooms/${room.id}/messages`)).body.messages).toHaveLength(PAGE_MAX);
  });

  it('is for members only, and checks its query', async () => {
    const { member, room } = await chatRoom(srv, sockets);
    const outsider = await registerUser(srv);
    const res = await outsider.api.get(`/api/rooms/${room.id}/messages`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('NOT_A_MEMBER');
    expect((await outsider.api.get(`/api/rooms/${UNKNOWN_ID}/messages`)).status).toBe(404);
    expect((await member.api.get(`/api/rooms/${room.id}/messages?limit=lots`)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await member.api.get(`/api/rooms/${room.id}/messages?limit=-1`)).body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('message:react', () => {
  it('adds and removes reactions and tells the room the counts', async () => {
    const { member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const sent = await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: 'r', body: 'react to me' });
    if (!sent.ok) throw new Error('send failed');
    const messageId = sent.data.message.id;
    const told = waitFor(memberSock, 'message:reactions');
    expect(await emitAck(ownerSock, 'message:react', { messageId, emoji: '👍', on: true })).toEqual({ ok: true, data: { messageId, reactions: { '👍': 1 } } });
    expect(await told).toEqual({ roomId: room.id, messageId, reactions: { '👍': 1 } });
    await emitAck(memberSock, 'message:react', { messageId, emoji: '👍', on: true });
    expect(await emitAck(memberSock, 'message:react', { messageId, emoji: '👍', on: true })).toMatchObject({ ok: true, data: { reactions: { '👍': 2 } } });
    expect(await emitAck(ownerSock, 'message:react', { messageId, emoji: '👍', on: false })).toMatchObject({ ok: true, data: { reactions: { '👍': 1 } } });
    const history = await member.api.get(`/api/rooms/${room.id}/messages`);
    expect(history.body.messages[0].reactions).toEqual({ '👍': 1 });
  });

  it('refuses outsiders, unknown messages and bad payloads', async () => {
    const { room, memberSock } = await chatRoom(srv, sockets);
    const sent = await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: 'r', body: 'x' });
    if (!sent.ok) throw new Error('send failed');
    const { room: privateRoom, memberSock: privSock } = await chatRoom(srv, sockets, 'private');
    const hidden = await emitAck(privSock, 'message:send', { roomId: privateRoom.id, clientMessageId: 'p', body: 'secret' });
    if (!hidden.ok) throw new Error('send failed');
    const outsider = await sockets.open(srv, await registerUser(srv));
    expect(await emitAck(outsider, 'message:react', { messageId: sent.data.message.id, emoji: '👍', on: true })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await emitAck(outsider, 'message:react', { messageId: hidden.data.message.id, emoji: '👍', on: true })).toMatchObject({ ok: false, error: { code: 'MESSAGE_NOT_FOUND' } });
    expect(await emitAck(outsider, 'message:react', { messageId: UNKNOWN_ID, emoji: '👍', on: true })).toMatchObject({ ok: false, error: { code: 'MESSAGE_NOT_FOUND' } });
    expect(await emitRaw(memberSock, 'message:react', { messageId: sent.data.message.id, emoji: '👍', on: 'yes' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const counts = await srv.ctx.stores.messages.reactionCounts([sent.data.message.id]);
    expect(counts[sent.data.message.id] ?? {}).toEqual({});
  });
});

describe('message:vote-helpful', () => {
  it('counts one vote per member, never for the author', async () => {
    const { owner, member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const sent = await emitAck(memberSock, 'message:send', { roomId: room.id, clientMessageId: 'v', body: 'useful' });
    if (!sent.ok) throw new Error('send failed');
    const messageId = sent.data.message.id;
    expect(await emitAck(memberSock, 'message:vote-helpful', { messageId })).toMatchObject({ ok: false, error: { code: 'CANNOT_VOTE_OWN_MESSAGE' } });
    expect(await emitAck(ownerSock, 'message:vote-helpful', { messageId })).toEqual({ ok: true, data: { messageId, award: expect.objectContaining({ activity: 'helpful_content' }) } });
    expect(await emitAck(ownerSock, 'message:vote-helpful', { messageId })).toMatchObject({ ok: false, error: { code: 'ALREADY_VOTED' } });
    const outsider = await sockets.open(srv, await registerUser(srv));
    expect(await emitAck(outsider, 'message:vote-helpful', { messageId })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await emitAck(outsider, 'message:vote-helpful', { messageId: UNKNOWN_ID })).toMatchObject({ ok: false, error: { code: 'MESSAGE_NOT_FOUND' } });
    // The store saw exactly the one accepted vote: the owner's is there, the author's refused one is not.
    expect(await srv.ctx.stores.messages.addHelpfulVote({ messageId, voterId: owner.id, at: new Date(0) })).toBe(false);
    expect(await srv.ctx.stores.messages.addHelpfulVote({ messageId, voterId: member.id, at: new Date(0) })).toBe(true);
  });
});
