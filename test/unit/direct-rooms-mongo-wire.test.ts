import { beforeEach, describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import { createRecordStores } from '../../server/stores/records.js';
import { DIRECT_ROOM_OWNER, type RecordStores } from '../../server/stores/ports.js';
import { commandName, cursor, duplicateKey, target, useWireHarness, type Command } from '../support/fake-mongo.js';

/**
 * The MongoDB side of direct rooms and room management, on the wire-protocol stand-in (no
 * MongoDB can run here; the behaviour is the contract suite's whenever a replica set is
 * reachable): which writes share one transaction, the duplicate-key path of a racing pair, and
 * the filters that keep direct rooms off the room list.
 */
const T = new Date('2026-01-05T12:00:00.000Z');
const wire = useWireHarness();
let s: RecordStores;

beforeEach(async () => {
  s = await createRecordStores({ kind: 'mongodb', connection: wire.connection, indexBuilds: createIndexBuilds(), close: () => wire.connection.close() });
});

const all = (): Command[] => wire.fake.commands.filter((c) => !['hello', 'ismaster'].includes(commandName(c)));
const sameTransaction = (commands: Command[]): void => {
  const [first, ...rest] = commands;
  expect(first).toMatchObject({ startTransaction: true, autocommit: false });
  for (const c of rest) {
    expect(c['lsid']).toEqual(first!['lsid']);
    expect(c['txnNumber']).toEqual(first!['txnNumber']);
  }
};
const direct = { id: 'R1', name: '', description: '', visibility: 'private' as const, ownerId: DIRECT_ROOM_OWNER, createdAt: T };

describe('direct rooms on the MongoDB wire', () => {
  it('writes the pair, the ownerless room and both memberships in one committed transaction', async () => {
    expect(await s.rooms.openDirect(direct, ['U2', 'U1'])).toEqual({ room: direct, created: true });
    const [pair] = wire.sent('insert', 'direct_rooms');
    const [room] = wire.sent('insert', 'rooms');
    const [members] = wire.sent('insert', 'room_members');
    const commit = all().find((c) => commandName(c) === 'committransaction');
    expect(pair).toMatchObject({ documents: [{ _id: 'U1:U2', roomId: 'R1', userIds: ['U2', 'U1'] }] });
    // The raw insert keeps the empty owner and name that mark a direct room.
    expect(room).toMatchObject({ documents: [{ _id: 'R1', ownerId: '', name: '', visibility: 'private' }] });
    expect(members).toMatchObject({ documents: [{ roomId: 'R1', userId: 'U2', role: 'member' }, { roomId: 'R1', userId: 'U1', role: 'member' }] });
    sameTransaction([pair!, room!, members!, commit!]);
    expect(wire.indexes).toEqual(expect.arrayContaining(['roomId_unique', 'userIds_roomId']));
  });

  it('answers the existing room when the pair key is taken, and commits nothing', async () => {
    wire.setHandler((c) => {
      if (commandName(c) === 'insert' && target(c) === 'direct_rooms') return duplicateKey('direct_rooms', '_id_');
      if (commandName(c) === 'find' && target(c) === 'direct_rooms') return cursor(c, [{ _id: 'U1:U2', roomId: 'R0', userIds: ['U1', 'U2'] }]);
      if (commandName(c) === 'find' && target(c) === 'rooms') return cursor(c, [{ _id: 'R0', name: '', description: '', visibility: 'private', ownerId: '', createdAt: T }]);
      return undefined;
    });
    const out = await s.rooms.openDirect(direct, ['U1', 'U2']);
    expect(out).toEqual({ room: { ...direct, id: 'R0' }, created: false });
    expect(wire.sent('insert', 'rooms')).toEqual([]);
    expect(all().filter((c) => commandName(c) === 'committransaction')).toEqual([]);
  });

  it('lists a user’s direct rooms from the multikey index and leaves them off listVisibleTo', async () => {
    wire.setHandler((c) => {
      if (commandName(c) === 'find' && target(c) === 'direct_rooms') return cursor(c, [{ _id: 'U1:U2', roomId: 'R1', userIds: ['U1', 'U2'] }]);
      if (commandName(c) === 'find' && target(c) === 'rooms') return cursor(c, [{ _id: 'R1', name: '', description: '', visibility: 'private', ownerId: '', createdAt: T }]);
      return undefined;
    });
    expect(await s.rooms.listDirectOf('U2', { limit: 5, before: 'R9' })).toEqual({ items: [{ ...direct, peerId: 'U1' }], nextCursor: null });
    expect(wire.sent('find', 'direct_rooms')[0]).toMatchObject({ filter: { userIds: 'U2', roomId: { $lt: 'R9' } }, sort: { roomId: -1 }, limit: 6 });
    await s.rooms.listVisibleTo('U2', { limit: 5 });
    const listed = wire.sent('find', 'rooms').at(-1);
    expect(JSON.stringify(listed!['filter'])).toContain('"ownerId":{"$ne":""}');
  });

  it('transfers ownership in one transaction guarded by the current owner', async () => {
    wire.setHandler((c) => (commandName(c) === 'find' && target(c) === 'room_members' ? cursor(c, [{ _id: 'x' }]) : undefined));
    expect(await s.rooms.transferOwnership('R1', 'U1', 'U2')).toBe(true);
    const [guard, ...roles] = wire.sent('update', 'rooms').concat(wire.sent('update', 'room_members'));
    expect(guard).toMatchObject({ updates: [{ q: { _id: 'R1', ownerId: 'U1' }, u: { $set: { ownerId: 'U2' } } }] });
    expect(roles.map((r) => (r['updates'] as Command[])[0])).toMatchObject([
      { q: { roomId: 'R1', userId: 'U2' }, u: { $set: { role: 'owner' } } },
      { q: { roomId: 'R1', userId: 'U1' }, u: { $set: { role: 'moderator' } } },
    ]);
    sameTransaction([wire.sent('find', 'room_members')[0]!, guard!, ...roles]);
  });

  it('deletes a room and everything hanging on it in one transaction', async () => {
    wire.setHandler((c) => {
      if (commandName(c) === 'find' && target(c) === 'rooms') return cursor(c, [{ _id: 'R1' }]);
      if (commandName(c) === 'find' && target(c) === 'room_members') return cursor(c, [{ userId: 'U1' }, { userId: 'U2' }]);
      return undefined;
    });
    expect(await s.rooms.deleteRoom('R1')).toEqual(['U1', 'U2']);
    const deletes = ['room_members', 'room_invites', 'room_bans', 'room_customizations', 'rooms'].map((coll) => wire.sent('delete', coll)[0]);
    expect(deletes.every(Boolean)).toBe(true);
    sameTransaction([wire.sent('find', 'rooms')[0]!, ...(deletes as Command[])]);
  });
});
