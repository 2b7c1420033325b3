import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractBackends } from '../support/backends.js';
import { useStoreRacer } from '../support/store-racer.js';
import type { Backend } from '../../server/stores/backend.js';
import { createPenaltyStore } from '../../server/stores/penalties.js';
import type { PenaltyRecord, PenaltyStore } from '../../server/abuse/ports.js';
import { newId } from '../../server/lib/ids.js';

/** The penalties store's behaviour on SQLite and, when a replica set is reachable, MongoDB. */
const backends = await contractBackends('penalties');

const T0 = Date.parse('2026-01-05T12:00:00.000Z');

const penalty = (userId: string, sequence: number, overrides: Partial<PenaltyRecord> = {}): PenaltyRecord => ({
  id: newId(),
  userId,
  sequence,
  action: 'warning',
  severe: false,
  reason: 'spam',
  actorId: 'admin-1',
  requestId: `req-${sequence}`,
  suspendedUntil: null,
  createdAt: new Date(T0 + sequence * 1000),
  ...overrides,
});

describe.each(backends)('penalties store on $name', (factory) => {
  let backend: Backend;
  let store: PenaltyStore;

  beforeEach(async () => {
    backend = await factory.open();
    store = await createPenaltyStore(backend);
  });
  afterEach(async () => {
    await factory.dispose(backend);
  });
  // Races run half here, half in a second process on the same data (a second connection on MongoDB).
  const other = useStoreRacer(() => factory.racerTarget(backend));

  it('round-trips every field, oldest first, per user', async () => {
    const user = newId();
    const first = penalty(user, 1);
    const second = penalty(user, 2, { action: 'earning_suspension', suspendedUntil: new Date(T0 + 86_400_000), severe: true });
    expect(await store.insert(second)).toEqual({ status: 'inserted' });
    expect(await store.insert(first)).toEqual({ status: 'inserted' });
    await store.insert(penalty(newId(), 1));
    expect(await store.list(user)).toEqual([first, second]);
    expect(await store.list(newId())).toEqual([]);
  });

  it('the same request id answers the first record, even with another sequence', async () => {
    const user = newId();
    const first = penalty(user, 1, { requestId: 'r-1' });
    await store.insert(first);
    expect(await store.insert(penalty(user, 2, { requestId: 'r-1', reason: 'other' }))).toEqual({ status: 'duplicate', existing: first });
    expect(await store.insert(penalty(user, 1, { requestId: 'r-1' }))).toEqual({ status: 'duplicate', existing: first });
    expect(await store.list(user)).toHaveLength(1);
  });

  it('a taken sequence number is refused: two racing penalties never share a step', async () => {
    const user = newId();
    const theirs = await other<PenaltyStore>('penalties');
    const results = await Promise.all([store.insert(penalty(user, 1, { requestId: 'a' })), theirs.insert(penalty(user, 1, { requestId: 'b' }))]);
    expect(results.map((r) => r.status).sort()).toEqual(['inserted', 'sequence_taken']);
    expect(await store.list(user)).toHaveLength(1);
  });

  it('request ids are per user', async () => {
    expect((await store.insert(penalty(newId(), 1, { requestId: 'same' }))).status).toBe('inserted');
    expect((await store.insert(penalty(newId(), 1, { requestId: 'same' }))).status).toBe('inserted');
  });

  it('registrations: recorded once, ranked per IP and day by user id, listed newest first', async () => {
    const ids = [newId(), newId(), newId(), newId()].sort();
    const at = new Date(T0);
    await store.recordRegistration({ userId: ids[0]!, ip: '10.0.0.1', day: '2026-01-05', createdAt: at });
    await store.recordRegistration({ userId: ids[1]!, ip: '10.0.0.1', day: '2026-01-05', createdAt: at });
    await store.recordRegistration({ userId: ids[2]!, ip: '10.0.0.1', day: '2026-01-06', createdAt: at });
    await store.recordRegistration({ userId: ids[3]!, ip: '10.0.0.2', day: '2026-01-05', createdAt: at });
    // A second record of the same account keeps the first address.
    await store.recordRegistration({ userId: ids[0]!, ip: '10.9.9.9', day: '2026-01-07', createdAt: at });

    expect(await store.registrationRank('10.0.0.1', '2026-01-05', ids[0]!)).toBe(1);
    expect(await store.registrationRank('10.0.0.1', '2026-01-05', ids[1]!)).toBe(2);
    expect(await store.registrationRank('10.0.0.1', '2026-01-06', ids[2]!)).toBe(1);
    expect(await store.registrationOf(ids[0]!)).toEqual({ userId: ids[0], ip: '10.0.0.1', day: '2026-01-05', createdAt: at });
    expect(await store.registrationOf(newId())).toBeNull();
    expect((await store.registrationsFrom('10.0.0.1', 10)).map((r) => r.userId)).toEqual([ids[2], ids[1], ids[0]]);
    expect((await store.registrationsFrom('10.0.0.1', 2)).map((r) => r.userId)).toEqual([ids[2], ids[1]]);
    expect(await store.registrationsFrom('10.9.9.9', 10)).toEqual([]);
  });
});
