import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractBackends } from '../support/backends.js';
import type { Backend } from '../../server/stores/backend.js';
import { createRecordStores } from '../../server/stores/records.js';
import { newId } from '../../server/lib/ids.js';
import type { RecordStores } from '../../server/stores/ports.js';
import { deletedUsername } from '../../server/stores/usernames.js';

/** UserStore.markDeleted (issue 10) on SQLite and, when a replica set is reachable, on MongoDB. */
const backends = await contractBackends('account-deletion');
const T0 = new Date('2026-01-05T12:00:00.123Z');
const T1 = new Date('2026-01-06T12:00:00.456Z');

describe.each(backends)('UserStore.markDeleted on $name', (factory) => {
  let backend: Backend;
  let s: RecordStores;

  beforeEach(async () => {
    backend = await factory.open();
    s = await createRecordStores(backend);
  });
  afterEach(async () => factory.dispose(backend));

  const create = async (username: string) => {
    const id = newId();
    await s.users.create({ id, username, passwordHash: 'scrypt$x', publicKey: 'pk', inviteCode: `c-${id}`, invitedBy: null, registrationIp: '10.0.0.1', createdAt: T0 });
    await s.users.setPinHash(id, 'pin$x');
    return id;
  };

  it('tombstones the account once, bans it, clears its secrets and frees the name', async () => {
    const id = await create('Alice');
    expect(await s.users.markDeleted(id, T1)).toBe(true);
    expect(await s.users.findById(id)).toMatchObject({
      id,
      username: deletedUsername(id),
      publicKey: null,
      pinHash: null,
      registrationIp: null,
      bannedAt: T1,
      inviteCode: `c-${id}`,
      createdAt: T0,
    });
    expect((await s.users.findById(id))!.passwordHash).not.toBe('scrypt$x');
    expect(await s.users.findByUsername('alice')).toBeNull();
    expect(await s.users.markDeleted(id, new Date(T1.getTime() + 1000))).toBe(false);
    expect((await s.users.findById(id))!.bannedAt).toEqual(T1);
    // The name can be registered again.
    expect(await create('alice')).toEqual(expect.any(String));
  });

  it('keeps an earlier ban time, and answers false for an unknown id', async () => {
    const id = await create('Banned');
    await s.users.setBanned(id, T0);
    expect(await s.users.markDeleted(id, T1)).toBe(true);
    expect((await s.users.findById(id))!.bannedAt).toEqual(T0);
    expect(await s.users.markDeleted(newId(), T1)).toBe(false);
  });
});
