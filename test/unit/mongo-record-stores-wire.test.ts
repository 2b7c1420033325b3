import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import mongoose, { type Connection } from 'mongoose';
import { createRecordStores } from '../../server/stores/records.js';
import type { RecordStores } from '../../server/stores/ports.js';
import { commandName, commandsTo, connectToFake, cursor, duplicateKey, isHello, replicaSetHello, startFakeMongo, target, type Command, type FakeMongo } from '../support/fake-mongo.js';

/**
 * What the MongoDB adapters send and how they read the answers, checked against a wire-protocol
 * stand-in (test/support/fake-mongo.ts) because no MongoDB can run here. The behaviour itself
 * (uniqueness, paging, counts) is the contract suite's job whenever a replica set is reachable;
 * this file pins the parts a fake can see: transactions and their session fields, index builds
 * before writes, duplicate-key mapping, query shapes and result mapping.
 */

type Handler = (command: Command) => Command | Promise<Command> | undefined;

const T = new Date('2026-01-05T12:00:00.000Z');
const INDEX_BUILD_MS = 20;
let fake: FakeMongo;
let connection: Connection;
let s: RecordStores;
let handler: Handler = () => undefined;
/** Index names whose build has finished, per collection. */
let built: Map<string, string[]>;
/** What `built` held for a collection when its first insert arrived. */
let builtAtFirstInsert: Map<string, string[]>;

/** Index builds take a while, as on a real server, so a write that does not wait for them shows. */
function buildIndexes(c: Command): Promise<Command> {
  const names = (c['indexes'] as { name: string }[]).map((i) => i.name);
  return new Promise((resolve) =>
    setTimeout(() => {
      built.set(target(c), [...(built.get(target(c)) ?? []), ...names]);
      resolve({ ok: 1 });
    }, INDEX_BUILD_MS),
  );
}

/** The commands sent so far, without handshakes and monitoring. */
const sent = (): Command[] => fake.commands.filter((c) => !isHello(c));
const find = (name: string, collection: string): Command[] => commandsTo(fake, name, collection);

beforeEach(async () => {
  handler = () => undefined;
  built = new Map();
  builtAtFirstInsert = new Map();
  fake = await startFakeMongo((c, port) => {
    if (isHello(c)) return { ...replicaSetHello(port), localTime: new Date(), ok: 1 };
    const answer = handler(c);
    if (answer) return answer;
    const name = commandName(c);
    if (name === 'find' || name === 'aggregate') return cursor(c, []);
    if (name === 'distinct') return { values: [], ok: 1 };
    if (name === 'createindexes') return buildIndexes(c);
    if (name === 'insert' && !builtAtFirstInsert.has(target(c))) builtAtFirstInsert.set(target(c), [...(built.get(target(c)) ?? [])]);
    return { n: 1, nModified: 1, ok: 1 };
  });
  connection = await connectToFake(fake);
  s = await createRecordStores({ kind: 'mongodb', connection, indexBuilds: createIndexBuilds(), close: () => connection.close() });
});

afterEach(async () => {
  await connection.close(true);
  await fake.close();
});

describe('MongoDB record stores on the wire', () => {
  it('waits for each unique index to be built before the first write that relies on it', async () => {
    // The writes start at once, while the (slow, see beforeEach) index builds are still running.
    await Promise.all([
      s.users.create({ id: 'U1', username: 'Alice', passwordHash: 'h', publicKey: null, inviteCode: 'c1', invitedBy: null, registrationIp: null, createdAt: T }),
      s.messages.create({ id: 'M1', roomId: 'R1', authorId: 'U1', clientMessageId: 'c', kind: 'text', body: 'x', fileId: null, createdAt: T }),
      s.rooms.addMember({ roomId: 'R1', userId: 'U2', role: 'member', joinedAt: T }),
      s.files.addViewer({ fileId: 'F1', userId: 'U2', at: T }),
      s.messages.addHelpfulVote({ messageId: 'M1', voterId: 'U2', at: T }),
    ]);
    expect(builtAtFirstInsert.get('users')).toContain('usernameLower_unique');
    expect(builtAtFirstInsert.get('messages')).toContain('authorId_clientMessageId_unique');
    expect(builtAtFirstInsert.get('room_members')).toContain('roomId_userId_unique');
    expect(builtAtFirstInsert.get('file_viewers')).toContain('fileId_userId_unique');
    expect(builtAtFirstInsert.get('message_helpful_votes')).toContain('messageId_voterId_unique');
    expect(find('insert', 'users')[0]?.['documents']).toEqual([expect.objectContaining({ _id: 'U1', username: 'Alice', usernameLower: 'alice', role: 'user' })]);
  });

  it('creates the room and the owner membership in one committed transaction', async () => {
    const room = { id: 'R1', name: 'general', description: '', visibility: 'private' as const, ownerId: 'U1', createdAt: T };
    expect(await s.rooms.create(room)).toEqual(room);
    const [roomInsert] = find('insert', 'rooms');
    const [memberInsert] = find('insert', 'room_members');
    const [commit] = sent().filter((c) => commandName(c) === 'committransaction');
    expect(roomInsert).toMatchObject({ documents: [{ _id: 'R1', ownerId: 'U1', description: '' }], startTransaction: true, autocommit: false });
    expect(memberInsert).toMatchObject({ documents: [{ roomId: 'R1', userId: 'U1', role: 'owner', joinedAt: T }], autocommit: false });
    expect(commit).toBeDefined();
    for (const c of [memberInsert!, commit!]) {
      expect(c['lsid']).toEqual(roomInsert!['lsid']);
      expect(c['txnNumber']).toEqual(roomInsert!['txnNumber']);
    }
  });

  it('aborts the room transaction when the owner membership cannot be written', async () => {
    handler = (c) => (commandName(c) === 'insert' && target(c) === 'room_members' ? { ok: 0, code: 2, errmsg: 'injected failure' } : undefined);
    await expect(s.rooms.create({ id: 'R1', name: 'g', description: '', visibility: 'public', ownerId: 'U1', createdAt: T })).rejects.toThrow(/injected failure/);
    expect(sent().filter((c) => commandName(c) === 'committransaction')).toHaveLength(0);
    const [abort] = sent().filter((c) => commandName(c) === 'aborttransaction');
    expect(abort?.['txnNumber']).toEqual(find('insert', 'rooms')[0]!['txnNumber']);
  });

  it('bans in one transaction: upsert the ban, remove the membership unless it is the owner\'s', async () => {
    await s.rooms.addBan({ roomId: 'R1', userId: 'U2', bannedBy: 'U1', createdAt: T });
    const [guard] = find('update', 'room_access_guards');
    const [update] = find('update', 'room_bans');
    const [del] = find('delete', 'room_members');
    // The guard write comes first and opens the transaction: a concurrent join writes it too (issue 9).
    expect(guard).toMatchObject({ updates: [{ q: { _id: 'R1\u0000U2' }, u: { $inc: { v: 1 } }, upsert: true }], startTransaction: true });
    expect(update).toMatchObject({
      updates: [{ q: { roomId: 'R1', userId: 'U2' }, u: { $setOnInsert: { bannedBy: 'U1', createdAt: T } }, upsert: true }],
    });
    expect(del).toMatchObject({ deletes: [{ q: { roomId: 'R1', userId: 'U2', role: { $ne: 'owner' } } }] });
    for (const cmd of [update, del]) {
      expect(cmd!['lsid']).toEqual(guard!['lsid']);
      expect(cmd!['txnNumber']).toEqual(guard!['txnNumber']);
    }
  });

  it('joins unless banned in one transaction that writes the same guard as a ban (issue 9)', async () => {
    expect(await s.rooms.addMemberUnlessBanned({ roomId: 'R1', userId: 'U3', role: 'member', joinedAt: T })).toMatchObject({ banned: false, created: true });
    const [guard] = find('update', 'room_access_guards');
    const [bans] = find('find', 'room_bans');
    const [members] = find('find', 'room_members');
    const [insert] = find('insert', 'room_members');
    expect(guard).toMatchObject({ updates: [{ q: { _id: 'R1\u0000U3' }, u: { $inc: { v: 1 } }, upsert: true }], startTransaction: true });
    expect(bans).toMatchObject({ filter: { roomId: 'R1', userId: 'U3' } });
    expect(insert).toMatchObject({ documents: [{ roomId: 'R1', userId: 'U3', role: 'member' }] });
    for (const cmd of [bans, members, insert]) {
      expect(cmd!['lsid']).toEqual(guard!['lsid']);
      expect(cmd!['txnNumber']).toEqual(guard!['txnNumber']);
    }
  });

  it('maps a duplicate username to null, and any other duplicate key to an error', async () => {
    const user = { id: 'U1', username: 'Alice', passwordHash: 'h', publicKey: null, inviteCode: 'c1', invitedBy: null, registrationIp: null, createdAt: T };
    handler = (c) => (commandName(c) === 'insert' && target(c) === 'users' ? duplicateKey('users', 'usernameLower_unique') : undefined);
    expect(await s.users.create(user)).toBeNull();
    handler = (c) => (commandName(c) === 'insert' && target(c) === 'users' ? duplicateKey('users', 'inviteCode_unique') : undefined);
    await expect(s.users.create(user)).rejects.toMatchObject({ code: 11000 });
  });

  it('answers a clientMessageId retry with the stored first message', async () => {
    const first = { _id: 'M0', roomId: 'R1', authorId: 'U1', clientMessageId: 'c-1', kind: 'text', body: 'first', fileId: null, createdAt: T };
    handler = (c) => {
      if (commandName(c) === 'insert' && target(c) === 'messages') return duplicateKey('messages', 'authorId_clientMessageId_unique');
      if (commandName(c) === 'find' && target(c) === 'messages') return cursor(c, [first]);
      return undefined;
    };
    const retry = await s.messages.create({ id: 'M1', roomId: 'R1', authorId: 'U1', clientMessageId: 'c-1', kind: 'text', body: 'second', fileId: null, createdAt: T });
    expect(retry).toEqual({
      created: false,
      // A document stored before issue 10 has no replyTo / editedAt / deletedAt: they read as null.
      message: { id: 'M0', roomId: 'R1', authorId: 'U1', clientMessageId: 'c-1', kind: 'text', body: 'first', fileId: null, createdAt: T, replyTo: null, editedAt: null, deletedAt: null },
    });
    expect(find('find', 'messages')[0]).toMatchObject({ filter: { authorId: 'U1', clientMessageId: 'c-1' } });
  });

  it('answers a second join with the stored membership, and a repeated view as not added', async () => {
    const stored = { roomId: 'R1', userId: 'U2', role: 'moderator', joinedAt: T };
    handler = (c) => {
      if (commandName(c) === 'insert' && target(c) === 'room_members') return duplicateKey('room_members', 'roomId_userId_unique');
      if (commandName(c) === 'find' && target(c) === 'room_members') return cursor(c, [stored]);
      if (commandName(c) === 'insert' && target(c) === 'file_viewers') return duplicateKey('file_viewers', 'fileId_userId_unique');
      if (commandName(c) === 'aggregate' && target(c) === 'file_viewers') return cursor(c, [{ _id: 1, n: 4 }]);
      return undefined;
    };
    expect(await s.rooms.addMember({ roomId: 'R1', userId: 'U2', role: 'member', joinedAt: new Date(0) })).toEqual({ membership: stored, created: false });
    expect(find('find', 'room_members')[0]).toMatchObject({ filter: { roomId: 'R1', userId: 'U2' } });
    expect(await s.files.addViewer({ fileId: 'F1', userId: 'U2', at: T })).toEqual({ distinctViewers: 4, added: false });
  });

  it('records a first join with an upsert: true only when it inserted, false when it matched or lost the race', async () => {
    const answers: Command[] = [
      { n: 1, nModified: 0, upserted: [{ index: 0, _id: new mongoose.Types.ObjectId() }], ok: 1 },
      { n: 1, nModified: 0, ok: 1 },
      duplicateKey('room_first_joins', 'roomId_userId_unique'),
    ];
    handler = (c) => (commandName(c) === 'update' && target(c) === 'room_first_joins' ? answers.shift() : undefined);
    expect(await s.rooms.recordFirstJoin('R1', 'U2', T)).toBe(true);
    expect(await s.rooms.recordFirstJoin('R1', 'U2', T)).toBe(false);
    expect(await s.rooms.recordFirstJoin('R1', 'U2', T)).toBe(false);
    expect(find('update', 'room_first_joins')[0]).toMatchObject({
      updates: [{ q: { roomId: 'R1', userId: 'U2' }, u: { $setOnInsert: { joinedAt: T } }, upsert: true }],
    });
    const indexes = find('createindexes', 'room_first_joins').flatMap((c) => c['indexes'] as { name: string; key: Command; unique?: boolean }[]);
    expect(indexes).toContainEqual(expect.objectContaining({ name: 'roomId_userId_unique', key: { roomId: 1, userId: 1 }, unique: true }));
  });

  it('looks users up by the lowercased name and lists only unread notifications when asked', async () => {
    await s.users.findByUsername('MiXeD_Case');
    expect(find('find', 'users')[0]).toMatchObject({ filter: { usernameLower: 'mixed_case' } });
    await s.notifications.list('U1', { unreadOnly: true, limit: 5 });
    await s.notifications.list('U1', { unreadOnly: false, limit: 5, before: 'N9' });
    const [unread, all] = find('find', 'notifications');
    expect(unread).toMatchObject({ filter: { userId: 'U1', readAt: null }, sort: { _id: -1 }, limit: 6 });
    expect(all?.['filter']).toEqual({ userId: 'U1', _id: { $lt: 'N9' } });
  });

  it('pages messages by `_id` below the cursor, newest first, reading one extra row', async () => {
    const doc = (id: string) => ({ _id: id, roomId: 'R1', authorId: 'U1', clientMessageId: id, kind: 'text', body: '', fileId: null, createdAt: T });
    handler = (c) => (commandName(c) === 'find' && target(c) === 'messages' ? cursor(c, [doc('M4'), doc('M3'), doc('M2')]) : undefined);
    const page = await s.messages.listByRoom('R1', { limit: 2, before: 'M5' });
    expect(page.items.map((m) => m.id)).toEqual(['M4', 'M3']);
    expect(page.nextCursor).toBe('M3');
    expect(find('find', 'messages')[0]).toMatchObject({ filter: { roomId: 'R1', _id: { $lt: 'M5' } }, sort: { _id: -1 }, limit: 3 });
  });

  it('lists visible rooms as public or among my memberships', async () => {
    handler = (c) => (commandName(c) === 'find' && target(c) === 'room_members' ? cursor(c, [{ roomId: 'R7' }, { roomId: 'R9' }]) : undefined);
    await s.rooms.listVisibleTo('U1', { limit: 10 });
    expect(find('find', 'room_members')[0]).toMatchObject({ filter: { userId: 'U1' } });
    expect(find('find', 'rooms')[0]).toMatchObject({
      filter: { $or: [{ visibility: 'public' }, { _id: { $in: ['R7', 'R9'] } }] },
      sort: { _id: -1 },
      limit: 11,
    });
  });

  it('lists a user\'s room ids from their memberships, sorted by room id, over the userId_roomId index', async () => {
    handler = (c) => (commandName(c) === 'find' && target(c) === 'room_members' ? cursor(c, [{ roomId: 'R2' }, { roomId: 'R5' }]) : undefined);
    expect(await s.rooms.listRoomIdsOfUser('U1')).toEqual(['R2', 'R5']);
    expect(find('find', 'room_members')[0]).toMatchObject({ filter: { userId: 'U1' }, projection: { _id: 0, roomId: 1 }, sort: { roomId: 1 } });
    expect(find('find', 'room_members')[0]).not.toHaveProperty('limit');
    handler = () => undefined;
    expect(await s.rooms.listRoomIdsOfUser('U2')).toEqual([]);
    // A write makes the adapter wait for its indexes, so their builds have been sent by now.
    await s.rooms.addMember({ roomId: 'R1', userId: 'U1', role: 'member', joinedAt: T });
    const memberIndexes = find('createindexes', 'room_members').flatMap((c) => c['indexes'] as { name: string; key: Command }[]);
    expect(memberIndexes).toContainEqual(expect.objectContaining({ name: 'userId_roomId', key: { userId: 1, roomId: 1 } }));
  });

  it('turns reaction aggregates into per-emoji counts and distinct reactors', async () => {
    handler = (c) => {
      if (commandName(c) === 'aggregate' && target(c) === 'message_reactions') {
        return cursor(c, [
          { _id: { m: 'M1', e: '👍' }, n: 2 },
          { _id: { m: 'M1', e: '❤️' }, n: 1 },
        ]);
      }
      if (commandName(c) === 'distinct' && target(c) === 'message_reactions') return { values: ['U1', 'U2', 'A1'], ok: 1 };
      if (commandName(c) === 'find' && target(c) === 'messages') return cursor(c, [{ _id: 'M1', authorId: 'A1' }]);
      return undefined;
    };
    // The author's own reaction (A1) is left out of the distinct reactors.
    expect(await s.messages.setReaction({ messageId: 'M1', userId: 'U1', emoji: '👍', on: true, at: T })).toEqual({
      counts: { '👍': 2, '❤️': 1 },
      distinctReactors: 2,
    });
    expect(find('find', 'messages')[0]).toMatchObject({ filter: { _id: 'M1' }, projection: { authorId: 1 } });
    expect(find('update', 'message_reactions')[0]).toMatchObject({
      updates: [{ q: { messageId: 'M1', userId: 'U1', emoji: '👍' }, u: { $setOnInsert: { createdAt: T } }, upsert: true }],
    });
    expect(await s.messages.reactionCounts(['M1', 'M2'])).toEqual({ M1: { '👍': 2, '❤️': 1 }, M2: {} });
  });

  // Economy integrity (issue 9): the reads behind independent peers and the refund rule.
  it('lists reactors other than the author, first reactions first, and viewers by first view', async () => {
    handler = (c) => {
      if (commandName(c) === 'find' && target(c) === 'messages') return cursor(c, [{ _id: 'M1', authorId: 'A1' }]);
      if (commandName(c) === 'aggregate' && target(c) === 'message_reactions') return cursor(c, [{ _id: 'U2' }, { _id: 'U1' }]);
      if (commandName(c) === 'find' && target(c) === 'file_viewers') return cursor(c, [{ userId: 'V1' }, { userId: 'V2' }]);
      if (commandName(c) === 'find' && target(c) === 'files') return cursor(c, [{ size: 4096 }]);
      return undefined;
    };
    expect(await s.messages.reactorIds('M1', 50)).toEqual(['U2', 'U1']);
    expect(find('aggregate', 'message_reactions')[0]).toMatchObject({
      pipeline: [{ $match: { messageId: 'M1', userId: { $ne: 'A1' } } }, { $group: { _id: '$userId', first: { $min: '$createdAt' } } }, { $sort: { first: 1, _id: 1 } }, { $limit: 50 }],
    });
    expect(await s.files.viewerIds('F1', 20)).toEqual(['V1', 'V2']);
    expect(find('find', 'file_viewers')[0]).toMatchObject({ filter: { fileId: 'F1' }, sort: { createdAt: 1, userId: 1 }, limit: 20 });
    expect(await s.files.largestSince('U1', T)).toBe(4096);
    expect(find('find', 'files')[0]).toMatchObject({ filter: { ownerId: 'U1', createdAt: { $gte: T } }, sort: { size: -1 }, limit: 1 });
  });

  it('marks read only the user\'s own unread notifications and reports the modified count', async () => {
    handler = (c) => (commandName(c) === 'update' && target(c) === 'notifications' ? { n: 2, nModified: 2, ok: 1 } : undefined);
    expect(await s.notifications.markRead('U1', ['N1', 'N2', 'N3'], T)).toBe(2);
    expect(find('update', 'notifications')[0]).toMatchObject({
      updates: [{ q: { userId: 'U1', _id: { $in: ['N1', 'N2', 'N3'] }, readAt: null }, u: { $set: { readAt: T } }, multi: true }],
    });
  });

  it('sums used bytes with an aggregate and answers ping through the admin database', async () => {
    handler = (c) => (commandName(c) === 'aggregate' && target(c) === 'files' ? cursor(c, [{ _id: null, n: 3500 }]) : undefined);
    expect(await s.files.usedBytes('U1')).toBe(3500);
    await s.ping();
    expect(sent().some((c) => commandName(c) === 'ping' && c['$db'] === 'admin')).toBe(true);
  });

  it('sets a room customization as one upsert keyed by room id that keeps the first purchase, and maps it back', async () => {
    await s.rooms.setCustomization({ roomId: 'R1', color: '#112233', theme: 'dark', purchaseId: 'P1', updatedBy: 'U1', updatedAt: T });
    expect(find('update', 'room_customizations')[0]).toMatchObject({
      updates: [{ q: { _id: 'R1' }, u: { $set: { color: '#112233', theme: 'dark', updatedBy: 'U1', updatedAt: T }, $setOnInsert: { purchaseId: 'P1' } }, upsert: true }],
    });
    handler = (c) =>
      commandName(c) === 'find' && target(c) === 'room_customizations'
        ? cursor(c, [{ _id: 'R1', color: '#112233', theme: 'dark', purchaseId: 'P1', updatedBy: 'U1', updatedAt: T }])
        : undefined;
    const got = await s.rooms.customizationsOf(['R1', 'R2']);
    expect(find('find', 'room_customizations')[0]).toMatchObject({ filter: { _id: { $in: ['R1', 'R2'] } } });
    expect([...got.entries()]).toEqual([['R1', { roomId: 'R1', color: '#112233', theme: 'dark', purchaseId: 'P1', updatedBy: 'U1', updatedAt: T }]]);
    expect((await s.rooms.customizationsOf([])).size).toBe(0);
    expect(find('find', 'room_customizations')).toHaveLength(1);
  });
});
