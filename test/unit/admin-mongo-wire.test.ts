import { beforeEach, describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import mongoose from 'mongoose';
import { createMongoAdminAuditStore } from '../../server/stores/mongo/admin-audit-store.js';
import { createMongoUserStore } from '../../server/stores/mongo/users-store.js';
import type { AdminAuditRecord, AdminAuditStore } from '../../server/admin/ports.js';
import { createMongoLedgerReads } from '../../server/stores/mongo/ledger-reads.js';
import { commandName, cursor, duplicateKey, useWireHarness } from '../support/fake-mongo.js';

/**
 * The MongoDB side of the operators' stores on the wire, against the protocol stand-in (no
 * MongoDB runs here): the audit log's unique index before the first write, a duplicate request
 * answered with the first record, the list filters; the user prefix search as an index range; the
 * supply read as two snapshot reads at one cluster time, outside any transaction.
 */
const T = new Date('2026-12-01T10:00:00.000Z');
const wire = useWireHarness({ writes: ['insert'] });
let store: AdminAuditStore;

const record: AdminAuditRecord = {
  id: 'A1',
  action: 'adjustment',
  actorId: 'ADM',
  targetUserId: 'U1',
  reason: 'ticket',
  requestId: 'r-1',
  subjectId: 'E1',
  details: { amount: -5 },
  createdAt: T,
};
const { id: _id, ...rest } = record;
const asDoc = { _id: record.id, ...rest };

beforeEach(() => {
  store = createMongoAdminAuditStore(wire.connection, createIndexBuilds());
});

describe('MongoDB admin audit log on the wire', () => {
  it('builds the unique (action, requestId) index before the first insert and inserts every field', async () => {
    expect(await store.append(record)).toEqual({ status: 'inserted' });
    expect(wire.indexesAtFirstWrite).toEqual(expect.arrayContaining(['action_requestId_unique', 'target_id', 'action_id']));
    expect(wire.sent('insert', 'admin_audit_log')[0]?.['documents']).toEqual([expect.objectContaining(asDoc)]);
  });

  it('a duplicate key answers the first record of the request', async () => {
    wire.setHandler((c) => {
      if (commandName(c) === 'insert') return duplicateKey('admin_audit_log', 'action_requestId_unique');
      if (commandName(c) === 'find') return cursor(c, [asDoc]);
      return undefined;
    });
    expect(await store.append({ ...record, id: 'A2', reason: 'other' })).toEqual({ status: 'duplicate', existing: record });
    expect(wire.sent('find', 'admin_audit_log')[0]).toMatchObject({ filter: { action: 'adjustment', requestId: 'r-1' } });
  });

  it('lists newest first with the filters and one extra document for the cursor', async () => {
    wire.setHandler((c) => (commandName(c) === 'find' ? cursor(c, [asDoc]) : undefined));
    expect(await store.list({ targetUserId: 'U1', action: 'adjustment', before: 'A9', limit: 5 })).toEqual({ items: [record], nextCursor: null });
    expect(wire.sent('find', 'admin_audit_log')[0]).toMatchObject({ filter: { targetUserId: 'U1', action: 'adjustment', _id: { $lt: 'A9' } }, sort: { _id: -1 }, limit: 6 });
  });

  it('the user search is a range on usernameLower, sorted and limited', async () => {
    const users = createMongoUserStore(wire.connection, createIndexBuilds());
    await users.searchByUsernamePrefix('AbC', 7);
    expect(wire.sent('find', 'users')[0]).toMatchObject({ filter: { usernameLower: { $gte: 'abc', $lt: 'abc~' } }, sort: { usernameLower: 1 }, limit: 7 });
  });

  it('the supply read is two snapshot reads at one cluster time, outside any transaction', async () => {
    const at = new mongoose.mongo.Timestamp({ t: 1_764_583_200, i: 7 });
    wire.setHandler((c) => {
      // A snapshot read answers with the time it read at (on the cursor), as a 5.0+ server does.
      const atTime = (reply: Record<string, any>) => ({ ...reply, cursor: { ...reply['cursor'], atClusterTime: at } });
      if (commandName(c) === 'find') return atTime(cursor(c, [{ _id: 'system:issuance', balance: -100 }, { _id: 'system:sink', balance: 30 }, { _id: 'system:adjustments', balance: -4 }]));
      if (commandName(c) === 'aggregate') return atTime(cursor(c, [{ _id: null, total: 74 }]));
      return undefined;
    });
    const read = createMongoLedgerReads(wire.connection).supply;
    expect(await read()).toEqual({ system: { 'system:issuance': -100, 'system:sink': 30, 'system:adjustments': -4 }, userBalanceSum: 74 });
    const find = wire.sent('find', 'ledger_accounts')[0]!;
    const aggregate = wire.sent('aggregate', 'ledger_accounts')[0]!;
    expect(find['filter']).toEqual({ _id: /^system:/ });
    // The first read asks for a snapshot; the second reads at the first one's point in time.
    expect(find['readConcern']).toEqual({ level: 'snapshot' });
    expect(aggregate['readConcern']).toEqual({ level: 'snapshot', atClusterTime: at });
    expect((aggregate['lsid'] as { id: unknown }).id).toEqual((find['lsid'] as { id: unknown }).id);
    for (const c of [find, aggregate]) {
      expect(c['txnNumber']).toBeUndefined();
      expect(c['startTransaction']).toBeUndefined();
    }
    expect(wire.fake.commands.filter((c) => ['committransaction', 'aborttransaction'].includes(commandName(c)))).toHaveLength(0);
  });
});
