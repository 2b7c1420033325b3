import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractBackends } from '../support/backends.js';
import type { Backend } from '../../server/stores/backend.js';
import { createAdminAuditStore } from '../../server/stores/admin-audit.js';
import type { AdminAuditRecord, AdminAuditStore } from '../../server/admin/ports.js';
import { createRecordStores } from '../../server/stores/records.js';
import { newId } from '../../server/lib/ids.js';
import { useStoreRacer } from '../support/store-racer.js';

/** The admin audit log and the admin user search on SQLite and, when a replica set is reachable, MongoDB. */
const backends = await contractBackends('admin-audit');

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
let n = 0;

const record = (overrides: Partial<AdminAuditRecord> = {}): AdminAuditRecord => ({
  id: newId(),
  action: 'adjustment',
  actorId: 'admin-1',
  targetUserId: 'user-1',
  reason: 'support ticket',
  requestId: `req-${++n}`,
  subjectId: 'entry-1',
  details: { amount: 5 },
  createdAt: new Date(T0 + n * 1000),
  ...overrides,
});

describe.each(backends)('admin audit log on $name', (factory) => {
  let backend: Backend;
  let store: AdminAuditStore;

  beforeEach(async () => {
    backend = await factory.open();
    store = await createAdminAuditStore(backend);
  });
  afterEach(async () => {
    await factory.dispose(backend);
  });

  it('round-trips every field, newest first, paged by id', async () => {
    const a = record();
    const b = record({ action: 'ban_lift', subjectId: null, details: {} });
    const c = record({ action: 'penalty_lift', subjectId: 'pen-1', details: { action: 'warning' } });
    for (const r of [a, b, c]) expect(await store.append(r)).toEqual({ status: 'inserted' });
    const first = await store.list({ limit: 2 });
    expect(first).toEqual({ items: [c, b], nextCursor: b.id });
    expect(await store.list({ limit: 2, before: first.nextCursor! })).toEqual({ items: [a], nextCursor: null });
  });

  it('the same (action, requestId) answers the first record and writes nothing', async () => {
    const first = record({ requestId: 'same' });
    await store.append(first);
    expect(await store.append(record({ requestId: 'same', reason: 'other', targetUserId: 'user-2' }))).toEqual({ status: 'duplicate', existing: first });
    // Another action may use the same request id.
    expect(await store.append(record({ requestId: 'same', action: 'ban_lift' }))).toEqual({ status: 'inserted' });
    expect((await store.list({ limit: 10 })).items).toHaveLength(2);
  });

  it('filters by target user, by action, and by both', async () => {
    const rows = [
      record({ targetUserId: 'u-a', action: 'adjustment' }),
      record({ targetUserId: 'u-a', action: 'penalty_lift' }),
      record({ targetUserId: 'u-b', action: 'adjustment' }),
    ];
    for (const r of rows) await store.append(r);
    expect((await store.list({ targetUserId: 'u-a', limit: 10 })).items).toEqual([rows[1], rows[0]]);
    expect((await store.list({ action: 'adjustment', limit: 10 })).items).toEqual([rows[2], rows[0]]);
    expect((await store.list({ targetUserId: 'u-a', action: 'penalty_lift', limit: 10 })).items).toEqual([rows[1]]);
    expect((await store.list({ targetUserId: 'nobody', limit: 10 })).items).toEqual([]);
  });

  // Half the appends run in a second process on the same data (a second connection on MongoDB):
  // on synchronous SQLite, calls inside one process cannot interleave.
  const other = useStoreRacer(() => factory.racerTarget(backend));

  it('concurrent appends of one request from two processes keep exactly one record', async () => {
    const racer = await other<AdminAuditStore>('adminAudit');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? racer : store).append(record({ requestId: 'burst' }))));
    expect(results.filter((r) => r.status === 'inserted')).toHaveLength(1);
    expect((await store.list({ limit: 20 })).items).toHaveLength(1);
  });

  it('users are searched by username prefix, case-insensitively, in username order', async () => {
    const users = (await createRecordStores(backend)).users;
    for (const username of ['Zed_one', 'zed_two', 'zebra', 'alpha']) {
      await users.create({ id: newId(), username, passwordHash: 'h', publicKey: null, inviteCode: newId(), invitedBy: null, registrationIp: null, createdAt: new Date(T0) });
    }
    expect((await users.searchByUsernamePrefix('ZED', 10)).map((u) => u.username)).toEqual(['Zed_one', 'zed_two']);
    expect((await users.searchByUsernamePrefix('ze', 2)).map((u) => u.username)).toEqual(['zebra', 'Zed_one']);
    expect((await users.searchByUsernamePrefix('', 10)).map((u) => u.username)).toEqual(['alpha', 'zebra', 'Zed_one', 'zed_two']);
    expect(await users.searchByUsernamePrefix('nobody', 10)).toEqual([]);
  });
});

describe('admin audit log on sqlite is append-only', () => {
  it('refuses an UPDATE or a DELETE even from SQL', async () => {
    const factory = backends[0]!;
    const backend = await factory.open();
    try {
      const store = await createAdminAuditStore(backend);
      await store.append(record());
      if (backend.kind !== 'sqlite') throw new Error('expected sqlite first');
      expect(() => backend.db.prepare("UPDATE admin_audit_log SET reason = 'edited'").run()).toThrow(/append-only/);
      expect(() => backend.db.prepare('DELETE FROM admin_audit_log').run()).toThrow(/append-only/);
    } finally {
      await factory.dispose(backend);
    }
  });
});
