import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { ManualClock } from '../../server/lib/clock.js';
import { collect, emitAck, waitFor, type TestSocket } from '../support/socket.js';
import type { MessageView } from '../../shared/events.js';
import { chatRoom, fundToGold, joinRoom, registerUser, socketPool } from './chat-fixtures.js';

/**
 * Issue 10 over real sockets and HTTP on SQLite: edit, delete, replies, advanced emoji, mentions,
 * read markers with unread counts, search and the catch-up route.
 */
let srv: TestServer;
const clock = new ManualClock(new Date('2026-03-01T10:00:00.000Z'));
const sockets = socketPool();
const EDIT_WINDOW_S = 60;
const QUOTE_CHARS = 10;

beforeAll(async () => {
  srv = await startTestServer({ clock, env: { MESSAGE_EDIT_WINDOW_SECONDS: String(EDIT_WINDOW_S), REPLY_QUOTE_CHARS: String(QUOTE_CHARS), MESSAGE_BODY_MAX_BYTES: '200' } });
});
afterEach(() => sockets.closeAll());
afterAll(async () => {
  await srv.stop();
});

let seq = 0;
async function say(socket: TestSocket, roomId: string, body: string, replyTo?: string): Promise<MessageView> {
  const ack = await emitAck(socket, 'message:send', { roomId, clientMessageId: `c-${++seq}`, body, ...(replyTo ? { replyTo } : {}) });
  if (!ack.ok) throw new Error(JSON.stringify(ack));
  return ack.data.message;
}

describe('message:edit', () => {
  it('lets the author edit within the window; the room gets message:updated; history shows the mark', async () => {
    const { owner, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const m = await say(memberSock, room.id, 'frist');
    clock.advance(30_000);
    const updated = waitFor(ownerSock, 'message:updated');
    const ack = await emitAck(memberSock, 'message:edit', { messageId: m.id, body: 'first' });
    expect(ack).toMatchObject({ ok: true, data: { message: { id: m.id, body: 'first', editedAt: clock.now().toISOString() } } });
    if (!ack.ok) throw new Error('unreachable');
    expect(await updated).toEqual(ack.data.message);
    const history = await owner.api.get(`/api/rooms/${room.id}/messages`);
    expect(history.body.messages[0]).toMatchObject({ id: m.id, body: 'first', editedAt: expect.any(String) });
  });

  it('refuses others, late edits, oversize bodies, deleted and unknown messages; nothing changes', async () => {
    const { owner, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const m = await say(memberSock, room.id, 'mine');
    expect(await emitAck(ownerSock, 'message:edit', { messageId: m.id, body: 'hijack' })).toMatchObject({ ok: false, error: { code: 'NOT_MESSAGE_AUTHOR' } });
    expect(await emitAck(memberSock, 'message:edit', { messageId: m.id, body: 'x'.repeat(201) })).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LARGE' } });
    expect(await emitAck(memberSock, 'message:edit', { messageId: '01HZZZZZZZZZZZZZZZZZZZZZZZ', body: 'x' })).toMatchObject({ ok: false, error: { code: 'MESSAGE_NOT_FOUND' } });
    expect(await emitAck(memberSock, 'message:edit', { messageId: m.id, body: '' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    clock.advance((EDIT_WINDOW_S + 1) * 1000);
    expect(await emitAck(memberSock, 'message:edit', { messageId: m.id, body: 'late' })).toMatchObject({
      ok: false,
      error: { code: 'EDIT_WINDOW_CLOSED', details: { windowSeconds: EDIT_WINDOW_S } },
    });
    const m2 = await say(memberSock, room.id, 'gone soon');
    expect(await emitAck(memberSock, 'message:delete', { messageId: m2.id })).toMatchObject({ ok: true });
    expect(await emitAck(memberSock, 'message:edit', { messageId: m2.id, body: 'back' })).toMatchObject({ ok: false, error: { code: 'MESSAGE_DELETED' } });
    expect((await srv.ctx.stores.messages.findById(m.id))?.body).toBe('mine');
    expect(owner.id).toBeTruthy();
  });
});

describe('message:delete', () => {
  it('the author deletes: the room gets message:deleted once, history keeps a tombstone, a retry answers the first', async () => {
    const { owner, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const m = await say(memberSock, room.id, 'oops');
    const seen = collect(ownerSock, 'message:deleted');
    const ack = await emitAck(memberSock, 'message:delete', { messageId: m.id });
    expect(ack).toEqual({ ok: true, data: { roomId: room.id, messageId: m.id, deletedAt: clock.now().toISOString() } });
    clock.advance(1000);
    expect(await emitAck(memberSock, 'message:delete', { messageId: m.id })).toEqual(ack);
    // Events reach a socket in order: once this marker arrives, a second message:deleted would have too.
    const marker = waitFor(ownerSock, 'message:new', (x) => x.body === 'marker');
    await say(memberSock, room.id, 'marker');
    await marker;
    expect(seen).toEqual([{ roomId: room.id, messageId: m.id, deletedAt: ack.ok ? ack.data.deletedAt : '' }]);
    const tomb = (await owner.api.get(`/api/rooms/${room.id}/messages`)).body.messages.find((x: MessageView) => x.id === m.id);
    expect(tomb).toMatchObject({ id: m.id, body: '', file: null, reactions: {}, deletedAt: expect.any(String) });
  });

  it('a moderator or the owner may delete anyone\'s message; a plain member may not', async () => {
    const { owner, member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const third = await registerUser(srv, 'Third');
    const thirdSock = await sockets.open(srv, third);
    await joinRoom(thirdSock, room.id);
    const byOwner = await say(ownerSock, room.id, 'owner says');
    expect(await emitAck(memberSock, 'message:delete', { messageId: byOwner.id })).toMatchObject({ ok: false, error: { code: 'NOT_MESSAGE_AUTHOR' } });
    const byThird = await say(thirdSock, room.id, 'spam');
    expect(await emitAck(ownerSock, 'message:delete', { messageId: byThird.id })).toMatchObject({ ok: true });
    expect((await owner.api.post(`/api/rooms/${room.id}/moderators`, { userId: member.id })).status).toBe(200);
    const again = await say(thirdSock, room.id, 'more spam');
    expect(await emitAck(memberSock, 'message:delete', { messageId: again.id })).toMatchObject({ ok: true });
    // Someone outside a private room cannot even learn the message exists.
    const outsider = await registerUser(srv, 'Outside');
    const outSock = await sockets.open(srv, outsider);
    const priv = await chatRoom(srv, sockets, 'private');
    const secret = await say(priv.memberSock, priv.room.id, 'secret');
    expect(await emitAck(outSock, 'message:delete', { messageId: secret.id })).toMatchObject({ ok: false, error: { code: 'MESSAGE_NOT_FOUND' } });
  });

  it('a deleted message takes no reactions or helpful votes (it earns nothing more); awards already paid stay', async () => {
    const { member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const m = await say(memberSock, room.id, 'worth a vote');
    const before = (await srv.ctx.ledger.account(member.id)).balance;
    await emitAck(memberSock, 'message:delete', { messageId: m.id });
    expect(await emitAck(ownerSock, 'message:react', { messageId: m.id, emoji: '👍', on: true })).toMatchObject({ ok: false, error: { code: 'MESSAGE_DELETED' } });
    expect(await emitAck(ownerSock, 'message:vote-helpful', { messageId: m.id })).toMatchObject({ ok: false, error: { code: 'MESSAGE_DELETED' } });
    expect((await srv.ctx.ledger.account(member.id)).balance).toBe(before);
    expect(before).toBeGreaterThan(0);
  });
});

describe('replies', () => {
  it('carries a short quote of the parent; a deleted parent shows as deleted', async () => {
    const { owner, member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const parent = await say(ownerSock, room.id, 'a long parent message body');
    const got = waitFor(ownerSock, 'message:new', (m) => m.replyTo !== undefined);
    const reply = await say(memberSock, room.id, 'agreed', parent.id);
    expect(reply.replyTo).toEqual({ messageId: parent.id, author: expect.objectContaining({ id: owner.id }), excerpt: 'a long par…', deleted: false });
    expect((await got).replyTo).toEqual(reply.replyTo);
    await emitAck(ownerSock, 'message:delete', { messageId: parent.id });
    const [latest] = (await member.api.get(`/api/rooms/${room.id}/messages?limit=1`)).body.messages;
    expect(latest.replyTo).toEqual({ messageId: parent.id, author: expect.objectContaining({ id: owner.id }), excerpt: null, deleted: true });
  });

  it('refuses a parent from another room, an unknown one or a deleted one, and stores nothing', async () => {
    const a = await chatRoom(srv, sockets);
    const b = await chatRoom(srv, sockets);
    const elsewhere = await say(b.ownerSock, b.room.id, 'other room');
    const count = async () => (await srv.ctx.stores.messages.listByRoom(a.room.id, { limit: 100 })).items.length;
    const n = await count();
    const send = (replyTo: string) => emitAck(a.memberSock, 'message:send', { roomId: a.room.id, clientMessageId: `r-${++seq}`, body: 'x', replyTo });
    expect(await send(elsewhere.id)).toMatchObject({ ok: false, error: { code: 'REPLY_TARGET_INVALID' } });
    expect(await send('01HZZZZZZZZZZZZZZZZZZZZZZZ')).toMatchObject({ ok: false, error: { code: 'REPLY_TARGET_INVALID' } });
    const gone = await say(a.ownerSock, a.room.id, 'bye');
    await emitAck(a.ownerSock, 'message:delete', { messageId: gone.id });
    expect(await send(gone.id)).toMatchObject({ ok: false, error: { code: 'MESSAGE_DELETED' } });
    expect(await count()).toBe(n + 1);
  });
});

describe('advanced emoji reactions', () => {
  it('are gold and up only; others get EMOJI_TIER_REQUIRED; ordinary emoji are for everyone', async () => {
    const { owner, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const m = await say(ownerSock, room.id, 'react to me');
    const advanced = srv.ctx.config.advancedEmojis[0]!;
    expect(await emitAck(memberSock, 'message:react', { messageId: m.id, emoji: advanced, on: true })).toMatchObject({
      ok: false,
      error: { code: 'EMOJI_TIER_REQUIRED', details: { requiredTier: 'gold', tier: 'bronze' } },
    });
    expect(await emitAck(memberSock, 'message:react', { messageId: m.id, emoji: '👍', on: true })).toMatchObject({ ok: true });
    await fundToGold(srv, owner);
    expect(await emitAck(ownerSock, 'message:react', { messageId: m.id, emoji: advanced, on: true })).toMatchObject({ ok: true, data: { reactions: { [advanced]: 1, '👍': 1 } } });
    // Taking a reaction back is never refused.
    expect(await emitAck(memberSock, 'message:react', { messageId: m.id, emoji: advanced, on: false })).toMatchObject({ ok: true });
  });
});

describe('mentions, read markers and unread counts', () => {
  it('@username of a member stores a mention notification; GET /api/rooms counts unread and mentions after the marker', async () => {
    const { owner, member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const outsider = await registerUser(srv, 'Nosy');
    const first = await say(ownerSock, room.id, 'welcome');
    await say(ownerSock, room.id, `hey @${member.username.toUpperCase()} and @${outsider.username}, mail a@b.c`);
    await say(memberSock, room.id, 'my own message is never unread');
    const notes = (await member.api.get('/api/notifications')).body.items.filter((n: { type: string }) => n.type === 'mention');
    expect(notes).toEqual([expect.objectContaining({ type: 'mention', data: expect.objectContaining({ roomId: room.id, by: owner.id }) })]);
    // Not a member: no notification.
    expect((await outsider.api.get('/api/notifications')).body.items.filter((n: { type: string }) => n.type === 'mention')).toEqual([]);
    const view = async () => (await member.api.get('/api/rooms')).body.rooms.find((r: { id: string }) => r.id === room.id);
    expect(await view()).toMatchObject({ unread: 2, mentions: 1 });
    expect(await emitAck(memberSock, 'room:read', { roomId: room.id, messageId: first.id })).toEqual({ ok: true, data: { roomId: room.id, messageId: first.id, unread: 1, mentions: 1 } });
    const last = await say(ownerSock, room.id, 'latest');
    expect(await emitAck(memberSock, 'room:read', { roomId: room.id, messageId: last.id })).toMatchObject({ ok: true, data: { unread: 0, mentions: 0 } });
    // Monotonic: an older id keeps the newer marker.
    expect(await emitAck(memberSock, 'room:read', { roomId: room.id, messageId: first.id })).toMatchObject({ ok: true, data: { messageId: last.id } });
    expect(await view()).toMatchObject({ unread: 0, mentions: 0 });
    // A room the caller is not in carries no counts.
    const other = await chatRoom(srv, sockets);
    expect((await member.api.get('/api/rooms')).body.rooms.find((r: { id: string }) => r.id === other.room.id)).not.toHaveProperty('unread');
  });

  it('room:read refuses a message of another room, a non-member and bad payloads', async () => {
    const a = await chatRoom(srv, sockets);
    const b = await chatRoom(srv, sockets);
    const inB = await say(b.ownerSock, b.room.id, 'b');
    expect(await emitAck(a.memberSock, 'room:read', { roomId: a.room.id, messageId: inB.id })).toMatchObject({ ok: false, error: { code: 'MESSAGE_NOT_FOUND' } });
    expect(await emitAck(a.memberSock, 'room:read', { roomId: b.room.id, messageId: inB.id })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await emitAck(a.memberSock, 'room:read', { roomId: a.room.id } as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('GET /api/rooms/:id/messages?q= (search)', () => {
  it('finds live messages of the room by every word, members only, paged, with query syntax taken as text', async () => {
    const { owner, member, room, ownerSock } = await chatRoom(srv, sockets);
    const m1 = await say(ownerSock, room.id, 'deploy the rocket today');
    const m2 = await say(ownerSock, room.id, 'the rocket landed');
    await say(ownerSock, room.id, 'nothing here');
    const search = (q: string, extra = '') => member.api.get(`/api/rooms/${room.id}/messages?q=${encodeURIComponent(q)}${extra}`);
    expect((await search('rocket')).body.messages.map((m: MessageView) => m.id)).toEqual([m2.id, m1.id]);
    const p1 = await search('rocket', '&limit=1');
    expect(p1.body).toMatchObject({ messages: [{ id: m2.id }], nextCursor: m2.id });
    expect((await search('rocket', `&limit=1&before=${p1.body.nextCursor}`)).body.messages.map((m: MessageView) => m.id)).toEqual([m1.id]);
    for (const q of ['rocket OR nothing', 'rocket NOT landed', '"rocket', 'body:rocket*', 'NEAR(a b)', ')(']) {
      const res = await search(q);
      expect(res.status, q).toBe(200);
    }
    expect((await search('rocket NOT landed')).body.messages).toEqual([]);
    await emitAck(ownerSock, 'message:delete', { messageId: m2.id });
    expect((await search('landed')).body.messages).toEqual([]);
    const outsider = await registerUser(srv, 'Searcher');
    expect((await outsider.api.get(`/api/rooms/${room.id}/messages?q=rocket`)).body.error.code).toBe('NOT_A_MEMBER');
    expect((await owner.api.get(`/api/rooms/${room.id}/messages?q=`)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await owner.api.get(`/api/rooms/${room.id}/messages?q=${'x'.repeat(201)}`)).status).toBe(400);
  });
});

describe('GET /api/rooms/:id/messages?after= (catch-up)', () => {
  it('answers the messages after the id, oldest first, and the edits and deletions since, each once', async () => {
    const { member, room, ownerSock } = await chatRoom(srv, sockets);
    const early = await say(ownerSock, room.id, 'early');
    const seen = await say(ownerSock, room.id, 'last one the client saw');
    clock.advance(1000);
    const missed1 = await say(ownerSock, room.id, 'missed 1');
    await emitAck(ownerSock, 'message:edit', { messageId: early.id, body: 'early, edited' });
    const missed2 = await say(ownerSock, room.id, 'missed 2');
    await emitAck(ownerSock, 'message:delete', { messageId: missed2.id });
    const res = await member.api.get(`/api/rooms/${room.id}/messages?after=${seen.id}`);
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: MessageView) => m.id)).toEqual([missed1.id, missed2.id]);
    expect(res.body.messages[1]).toMatchObject({ body: '', deletedAt: expect.any(String) });
    expect(res.body.changes).toEqual([expect.objectContaining({ id: early.id, body: 'early, edited', editedAt: expect.any(String) })]);
    expect(res.body.nextAfter).toBeNull();
    const paged = await member.api.get(`/api/rooms/${room.id}/messages?after=${seen.id}&limit=1`);
    expect(paged.body).toMatchObject({ messages: [{ id: missed1.id }], nextAfter: missed1.id });
    expect((await member.api.get(`/api/rooms/${room.id}/messages?after=${missed2.id}`)).body).toMatchObject({ messages: [], nextAfter: null });
  });

  it('refuses an id of another room, non-members, and after combined with q or before', async () => {
    const a = await chatRoom(srv, sockets);
    const b = await chatRoom(srv, sockets);
    const inB = await say(b.ownerSock, b.room.id, 'b');
    expect((await a.member.api.get(`/api/rooms/${a.room.id}/messages?after=${inB.id}`)).body.error.code).toBe('MESSAGE_NOT_FOUND');
    expect((await a.member.api.get(`/api/rooms/${b.room.id}/messages?after=${inB.id}`)).body.error.code).toBe('NOT_A_MEMBER');
    expect((await b.member.api.get(`/api/rooms/${b.room.id}/messages?after=${inB.id}&q=b`)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await b.member.api.get(`/api/rooms/${b.room.id}/messages?after=${inB.id}&before=${inB.id}`)).status).toBe(400);
  });
});
