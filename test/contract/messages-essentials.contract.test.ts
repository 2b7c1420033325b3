import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractBackends } from '../support/backends.js';
import type { Backend } from '../../server/stores/backend.js';
import { createRecordStores } from '../../server/stores/records.js';
import { newId } from '../../server/lib/ids.js';
import type { MessageRecord, MessageStore, RecordStores } from '../../server/stores/ports.js';
import { useStoreRacer } from '../support/store-racer.js';

/**
 * Issue 10's message store methods (edit, tombstone, catch-up, search, mentions, read markers):
 * one behaviour, both adapters, each test over a fresh backend.
 */
const backends = await contractBackends('messages-essentials');

const T0 = Date.parse('2026-01-05T12:00:00.000Z');
const at = (s: number): Date => new Date(T0 + s * 1000 + 123);

const draft = (roomId: string, authorId: string, overrides: Partial<MessageRecord> = {}): MessageRecord => ({
  id: newId(),
  roomId,
  authorId,
  clientMessageId: newId(),
  kind: 'text',
  body: 'hello',
  fileId: null,
  createdAt: at(2),
  replyTo: null,
  editedAt: null,
  deletedAt: null,
  ...overrides,
});

const ids = (items: readonly { id: string }[]): string[] => items.map((i) => i.id);

describe.each(backends)('message essentials on $name', (factory) => {
  let backend: Backend;
  let s: RecordStores;
  const send = async (roomId: string, authorId: string, overrides: Partial<MessageRecord> = {}) =>
    (await s.messages.create(draft(roomId, authorId, overrides))).message;

  beforeEach(async () => {
    backend = await factory.open();
    s = await createRecordStores(backend);
  });
  afterEach(async () => {
    await factory.dispose(backend);
  });
  // Races run half here, half in a second process on the same data (a second connection on
  // MongoDB): on synchronous SQLite, calls inside one process cannot interleave.
  const other = useStoreRacer(() => factory.racerTarget(backend));

  it('keeps replyTo and edits a live message only', async () => {
    const parent = await send('r1', 'a1');
    const reply = await send('r1', 'a2', { replyTo: parent.id });
    expect((await s.messages.findById(reply.id))?.replyTo).toBe(parent.id);
    const edited = await s.messages.edit({ messageId: parent.id, body: 'hello, edited', at: at(10) });
    expect(edited).toEqual({ ...parent, body: 'hello, edited', editedAt: at(10) });
    expect(await s.messages.findById(parent.id)).toEqual(edited);
    expect(await s.messages.edit({ messageId: newId(), body: 'x', at: at(11) })).toBeNull();
  });

  it('tombstones once: body cleared, first deletion kept, no more edits', async () => {
    const m = await send('r1', 'a1', { body: 'secret' });
    const first = await s.messages.markDeleted({ messageId: m.id, at: at(20) });
    expect(first).toEqual({ message: { ...m, body: '', deletedAt: at(20) }, changed: true });
    const again = await s.messages.markDeleted({ messageId: m.id, at: at(30) });
    expect(again).toEqual({ message: { ...m, body: '', deletedAt: at(20) }, changed: false });
    expect(await s.messages.edit({ messageId: m.id, body: 'back', at: at(31) })).toBeNull();
    expect(await s.messages.markDeleted({ messageId: newId(), at: at(31) })).toBeNull();
    // History keeps the tombstone in its place.
    expect(ids((await s.messages.listByRoom('r1', { limit: 10 })).items)).toEqual([m.id]);
  });

  it('lists messages after an id oldest first, with a more flag', async () => {
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push((await send('r1', 'a1')).id);
    await send('r2', 'a1');
    expect(await s.messages.listAfter('r1', { after: sent[1]!, limit: 2 })).toMatchObject({ more: true });
    expect(ids((await s.messages.listAfter('r1', { after: sent[1]!, limit: 2 })).items)).toEqual(sent.slice(2, 4));
    const rest = await s.messages.listAfter('r1', { after: sent[3]!, limit: 2 });
    expect(ids(rest.items)).toEqual([sent[4]]);
    expect(rest.more).toBe(false);
    expect(await s.messages.listAfter('r1', { after: sent[4]!, limit: 2 })).toEqual({ items: [], more: false });
  });

  it('lists edits and deletions since a time, up to an id, oldest change first', async () => {
    const a = await send('r1', 'a1');
    const b = await send('r1', 'a1');
    const c = await send('r1', 'a1');
    const other = await send('r2', 'a1');
    await s.messages.edit({ messageId: b.id, body: 'b2', at: at(50) });
    await s.messages.markDeleted({ messageId: a.id, at: at(60) });
    await s.messages.edit({ messageId: c.id, body: 'c2', at: at(70) });
    await s.messages.edit({ messageId: other.id, body: 'o2', at: at(70) });
    expect(ids(await s.messages.listChangedSince('r1', { since: at(40), upTo: b.id, limit: 10 }))).toEqual([b.id, a.id]);
    expect(ids(await s.messages.listChangedSince('r1', { since: at(55), upTo: c.id, limit: 10 }))).toEqual([a.id, c.id]);
    expect(ids(await s.messages.listChangedSince('r1', { since: at(40), upTo: c.id, limit: 1 }))).toEqual([b.id]);
    expect(await s.messages.listChangedSince('r1', { since: at(80), upTo: c.id, limit: 10 })).toEqual([]);
  });

  it('searches one room by every word, follows edits and deletions, treats query syntax as text', async () => {
    const apple = await send('r1', 'a1', { body: 'Apple pie recipe' });
    const both = await send('r1', 'a1', { body: 'apple and banana' });
    await send('r2', 'a1', { body: 'apple elsewhere' });
    const found = async (q: string) => ids((await s.messages.search('r1', q, { limit: 10 })).items);
    expect(await found('apple')).toEqual([both.id, apple.id]);
    expect(await found('APPLE banana')).toEqual([both.id]);
    expect(await found('cherry')).toEqual([]);
    // FTS5 / $text syntax is matched as words, never interpreted (no OR, no NOT, no column filters, no errors).
    expect(await found('apple OR cherry')).toEqual([]);
    // '-' is no negation: both words must appear.
    expect(await found('"apple" -banana')).toEqual([both.id]);
    expect(await found('room_id:r2 apple')).toEqual([]);
    expect(await found('NEAR(apple pie) * ^ : ( )')).toEqual([]);
    expect(await found('  ')).toEqual([]);
    await s.messages.edit({ messageId: apple.id, body: 'cherry pie', at: at(10) });
    expect(await found('cherry')).toEqual([apple.id]);
    expect(await found('apple')).toEqual([both.id]);
    await s.messages.markDeleted({ messageId: both.id, at: at(11) });
    expect(await found('banana')).toEqual([]);
    // Paged newest first by id.
    const more: string[] = [];
    for (let i = 0; i < 3; i++) more.push((await send('r1', 'a1', { body: `kiwi ${i}` })).id);
    const p1 = await s.messages.search('r1', 'kiwi', { limit: 2 });
    expect(ids(p1.items)).toEqual([more[2], more[1]]);
    expect(ids((await s.messages.search('r1', 'kiwi', { limit: 2, before: p1.nextCursor! })).items)).toEqual([more[0]]);
  });

  it('keeps a monotonic read marker and counts unread and mentions after it, up to a cap', async () => {
    const m1 = await send('r1', 'a1');
    const own = await send('r1', 'u1');
    const m3 = await send('r1', 'a1', { body: '@u1 hi' });
    const m4 = await send('r1', 'a2');
    await s.messages.addMentions({ messageId: m3.id, roomId: 'r1', userIds: ['u1', 'u1'] });
    const state = async (cap = 100) => (await s.messages.readStates('u1', ['r1', 'r2'], cap)).get('r1');
    // No marker: every message by others is unread (own messages never are).
    expect(await state()).toEqual({ lastReadId: null, unread: 3, mentions: 1 });
    expect(await state(2)).toEqual({ lastReadId: null, unread: 2, mentions: 1 });
    expect(await s.messages.setReadMarker({ roomId: 'r1', userId: 'u1', messageId: own.id, at: at(5) })).toBe(own.id);
    expect(await state()).toEqual({ lastReadId: own.id, unread: 2, mentions: 1 });
    // Never backwards.
    expect(await s.messages.setReadMarker({ roomId: 'r1', userId: 'u1', messageId: m1.id, at: at(6) })).toBe(own.id);
    expect(await s.messages.setReadMarker({ roomId: 'r1', userId: 'u1', messageId: m3.id, at: at(7) })).toBe(m3.id);
    expect(await state()).toEqual({ lastReadId: m3.id, unread: 1, mentions: 0 });
    expect((await s.messages.readStates('u1', ['r2'], 10)).get('r2')).toEqual({ lastReadId: null, unread: 0, mentions: 0 });
    // A deleted message is neither unread nor a mention.
    await s.messages.setReadMarker({ roomId: 'r1', userId: 'u2', messageId: m1.id, at: at(8) });
    await s.messages.addMentions({ messageId: m4.id, roomId: 'r1', userIds: ['u2'] });
    expect((await s.messages.readStates('u2', ['r1'], 10)).get('r1')).toEqual({ lastReadId: m1.id, unread: 3, mentions: 1 });
    await s.messages.addMentions({ messageId: m3.id, roomId: 'r1', userIds: ['u2'] });
    expect((await s.messages.readStates('u2', ['r1'], 10)).get('r1')).toMatchObject({ mentions: 2 });
    await s.messages.markDeleted({ messageId: m3.id, at: at(9) });
    expect((await s.messages.readStates('u2', ['r1'], 10)).get('r1')).toEqual({ lastReadId: m1.id, unread: 2, mentions: 1 });
  });

  it('keeps one marker under moves raced from two processes: the greatest id wins', async () => {
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) sent.push((await send('r1', 'a1')).id);
    const racer = await other<MessageStore>('messages');
    // The greatest id goes through the other process, so a lost update would show.
    await Promise.all(sent.map((id, i) => (i % 2 ? racer : s.messages).setReadMarker({ roomId: 'r1', userId: 'u1', messageId: id, at: at(i) })));
    expect((await s.messages.readStates('u1', ['r1'], 10)).get('r1')).toEqual({ lastReadId: sent[5], unread: 0, mentions: 0 });
  });
});
