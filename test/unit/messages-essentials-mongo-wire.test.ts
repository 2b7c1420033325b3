import { beforeEach, describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import { createMongoMessageStore } from '../../server/stores/mongo/messages-store.js';
import type { MessageStore } from '../../server/stores/ports.js';
import { commandName, cursor, useWireHarness, type Command } from '../support/fake-mongo.js';

/**
 * Issue 10's MongoDB message methods on the wire, against the protocol stand-in (no MongoDB runs
 * here; behaviour is the contract suite's job when a replica set is reachable). Pinned: the text
 * and change indexes, the escaped $text search scoped to one room, compare-and-set filters of
 * edit and tombstone, the monotonic marker as one upsert with $max, and counts that stop at the cap.
 */
const T = new Date('2026-01-05T12:00:00.000Z');
const stored = { _id: 'M1', roomId: 'R1', authorId: 'U1', clientMessageId: 'c', kind: 'text', body: 'hi', fileId: null, createdAt: T };
const wire = useWireHarness({ findDocs: [stored] });
let store: MessageStore;
const sent = (name: string, collection: string): Command[] => wire.sent(name, collection);

beforeEach(() => {
  store = createMongoMessageStore(wire.connection, createIndexBuilds());
});

describe('MongoDB message essentials on the wire', () => {
  it('builds the room text index (no stemming) and the change index', async () => {
    await store.addMentions({ messageId: 'M1', roomId: 'R1', userIds: ['U2'] });
    expect(wire.indexes).toEqual(expect.arrayContaining(['roomId_body_text', 'roomId_changedAt', 'userId_roomId_messageId_unique', 'userId_roomId_unique']));
    const createIndexes = wire.fake.commands.filter((c) => commandName(c) === 'createindexes' && c['createIndexes'] === 'messages');
    const text = createIndexes.flatMap((c) => c['indexes'] as Command[]).find((i) => i['name'] === 'roomId_body_text');
    expect(text).toMatchObject({ key: { roomId: 1, body: 'text' }, default_language: 'none' });
  });

  it('search: one room, live messages only, every word quoted so no $text syntax gets through', async () => {
    await store.search('R1', 'apple -banana "pie', { limit: 2, before: 'M9' });
    expect(sent('find', 'messages')[0]).toMatchObject({
      filter: { roomId: 'R1', deletedAt: null, $text: { $search: '"apple" "-banana" "pie"' }, _id: { $lt: 'M9' } },
      sort: { _id: -1 },
      limit: 3,
    });
    wire.fake.commands.length = 0;
    expect(await store.search('R1', '"" !!', { limit: 2 })).toEqual({ items: [], nextCursor: null });
    expect(sent('find', 'messages')).toEqual([]);
  });

  it('edit and tombstone: compare-and-set on a live message; a tombstone forgets its mentions', async () => {
    wire.setHandler((c) => (commandName(c) === 'findandmodify' ? { value: { ...stored, body: '', deletedAt: T, changedAt: T }, ok: 1 } : undefined));
    expect(await store.markDeleted({ messageId: 'M1', at: T })).toMatchObject({ changed: true, message: { id: 'M1', body: '', deletedAt: T } });
    expect(sent('findandmodify', 'messages')[0]).toMatchObject({ query: { _id: 'M1', deletedAt: null }, update: { $set: { body: '', deletedAt: T, changedAt: T } }, new: true });
    expect(sent('delete', 'message_mentions')[0]).toMatchObject({ deletes: [{ q: { messageId: 'M1' } }] });
    wire.setHandler((c) => (commandName(c) === 'findandmodify' ? { value: null, ok: 1 } : undefined));
    expect(await store.edit({ messageId: 'M1', body: 'x', at: T })).toBeNull();
    expect(sent('findandmodify', 'messages')[1]).toMatchObject({ query: { _id: 'M1', deletedAt: null }, update: { $set: { body: 'x', editedAt: T, changedAt: T } } });
  });

  it('read marker: one upsert whose pipeline keeps the greater id', async () => {
    wire.setHandler((c) => (commandName(c) === 'findandmodify' ? { value: { userId: 'U1', roomId: 'R1', messageId: 'M5', updatedAt: T }, ok: 1 } : undefined));
    expect(await store.setReadMarker({ roomId: 'R1', userId: 'U1', messageId: 'M3', at: T })).toBe('M5');
    expect(sent('findandmodify', 'read_markers')[0]).toMatchObject({
      query: { userId: 'U1', roomId: 'R1' },
      update: [{ $set: { messageId: { $max: ['$messageId', 'M3'] } } }],
      upsert: true,
    });
  });

  it('read states: counts after the marker, never the caller\'s own or deleted messages, each capped', async () => {
    wire.setHandler((c) => {
      if (commandName(c) === 'find' && c['find'] === 'read_markers') return cursor(c, [{ userId: 'U1', roomId: 'R1', messageId: 'M2' }]);
      if (commandName(c) === 'aggregate') return cursor(c, [{ _id: 1, n: 7 }]);
      return undefined;
    });
    expect((await store.readStates('U1', ['R1'], 50)).get('R1')).toEqual({ lastReadId: 'M2', unread: 7, mentions: 7 });
    const [unread] = sent('aggregate', 'messages');
    expect(unread?.['pipeline']).toEqual([{ $match: { roomId: 'R1', _id: { $gt: 'M2' }, authorId: { $ne: 'U1' }, deletedAt: null } }, { $limit: 50 }, { $group: { _id: 1, n: { $sum: 1 } } }]);
    const [mentions] = sent('aggregate', 'message_mentions');
    expect(mentions?.['pipeline']).toEqual([{ $match: { userId: 'U1', roomId: 'R1', messageId: { $gt: 'M2' } } }, { $limit: 50 }, { $group: { _id: 1, n: { $sum: 1 } } }]);
  });
});
