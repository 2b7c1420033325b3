import { beforeEach, describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import { createMongoPenaltyStore } from '../../server/stores/mongo/penalties-store.js';
import type { PenaltyRecord, PenaltyStore } from '../../server/abuse/ports.js';
import { createMongoLedgerReads } from '../../server/stores/mongo/ledger-reads.js';
import { commandName, cursor, duplicateKey as duplicateKeyIn, target, useWireHarness, type Command } from '../support/fake-mongo.js';

/**
 * The MongoDB penalties store on the wire, against the protocol stand-in (no MongoDB runs here;
 * behaviour is the contract suite's job when a replica set is reachable): indexes before the first
 * write, which duplicate key means a retry and which a lost race, and the queries it sends.
 */
const T = new Date('2026-01-05T12:00:00.000Z');
const wire = useWireHarness({ aggregateDocs: [{ n: 2 }], writes: ['insert', 'update'] });
let store: PenaltyStore;

const sent = (name: string, collection: string): Command[] => wire.sent(name, collection);
const duplicateKey = (index: string): Command => duplicateKeyIn('abuse_penalties', index);

const record: PenaltyRecord = {
  id: 'P1',
  userId: 'U1',
  sequence: 2,
  action: 'earning_suspension',
  severe: false,
  reason: 'spam',
  actorId: 'A1',
  requestId: 'r-1',
  suspendedUntil: new Date(T.getTime() + 86_400_000),
  createdAt: T,
};
const { id: _id, ...rest } = record;
const asDoc = { _id: record.id, ...rest };

beforeEach(() => {
  store = createMongoPenaltyStore(wire.connection, createIndexBuilds());
});

describe('MongoDB penalties store on the wire', () => {
  it('builds the unique indexes before the first write and inserts every field', async () => {
    expect(await store.insert(record)).toEqual({ status: 'inserted' });
    expect(wire.indexesAtFirstWrite).toEqual(expect.arrayContaining(['userId_sequence_unique', 'userId_requestId_unique', 'ip_day_id', 'ip_id']));
    expect(sent('insert', 'abuse_penalties')[0]?.['documents']).toEqual([expect.objectContaining({ _id: 'P1', userId: 'U1', sequence: 2, requestId: 'r-1', suspendedUntil: record.suspendedUntil })]);
  });

  it('a duplicate key with a record for the request id is a retry: the first record comes back', async () => {
    wire.setHandler((c) => {
      if (commandName(c) === 'insert') return duplicateKey('userId_requestId_unique');
      if (commandName(c) === 'find') return cursor(c, [asDoc]);
      return undefined;
    });
    expect(await store.insert({ ...record, id: 'P2', sequence: 3 })).toEqual({ status: 'duplicate', existing: record });
    expect(sent('find', 'abuse_penalties')[0]).toMatchObject({ filter: { userId: 'U1', requestId: 'r-1' } });
  });

  it('a duplicate sequence without such a record is a lost race', async () => {
    wire.setHandler((c) => (commandName(c) === 'insert' ? duplicateKey('userId_sequence_unique') : undefined));
    expect(await store.insert(record)).toEqual({ status: 'sequence_taken' });
  });

  it('registrations: insert-if-absent, rank by id within the IP and day', async () => {
    await store.recordRegistration({ userId: 'U1', ip: '10.0.0.1', day: '2026-01-05', createdAt: T });
    expect(sent('update', 'abuse_registrations')[0]).toMatchObject({
      updates: [{ q: { _id: 'U1' }, u: { $setOnInsert: { ip: '10.0.0.1', day: '2026-01-05', createdAt: T } }, upsert: true }],
    });
    expect(await store.registrationRank('10.0.0.1', '2026-01-05', 'U1')).toBe(2);
    expect(JSON.stringify(sent('aggregate', 'abuse_registrations')[0]?.['pipeline'])).toContain('"$lte":"U1"');
  });

  it('decay candidates: funded user accounts after the cursor, by account id', async () => {
    wire.setHandler((c) => (commandName(c) === 'find' && target(c) === 'ledger_accounts' ? cursor(c, [{ _id: 'user:U2', balance: 40 }]) : undefined));
    expect(await createMongoLedgerReads(wire.connection).fundedAccounts('U1', 500)).toEqual([{ userId: 'U2', balance: 40 }]);
    const find = sent('find', 'ledger_accounts')[0]!;
    expect(find).toMatchObject({ filter: { _id: { $gt: 'user:U1' }, balance: { $gt: 0 } }, sort: { _id: 1 }, limit: 500 });
    expect(String((find['filter'] as { _id: { $regex: unknown } })._id.$regex)).toContain('^user:');
  });
});
