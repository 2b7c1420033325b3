import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { contractBackends } from '../support/backends.js';
import type { Backend } from '../../server/stores/backend.js';
import { createRecordStores } from '../../server/stores/records.js';
import { newId } from '../../server/lib/ids.js';
import type { RecordStores } from '../../server/stores/ports.js';
import type { ProfileStore } from '../../server/users/profile-ports.js';
import { createProfileStore } from '../../server/stores/profiles.js';

/** The profiles port (issue 10) on SQLite and, when a replica set is reachable, on MongoDB. */
const backends = await contractBackends('profiles');
const T0 = new Date('2026-01-05T12:00:00.123Z');
const T1 = new Date('2026-01-05T12:00:05.456Z');

describe.each(backends)('profiles on $name', (factory) => {
  let backend: Backend;
  let s: RecordStores;
  let p: ProfileStore;

  beforeEach(async () => {
    backend = await factory.open();
    s = await createRecordStores(backend);
    p = await createProfileStore(backend);
  });
  afterEach(async () => factory.dispose(backend));

  const user = async (username = `u_${randomBytes(4).toString('hex')}`): Promise<string> => {
    const id = newId();
    await s.users.create({ id, username, passwordHash: 'h', publicKey: null, inviteCode: randomBytes(6).toString('hex'), invitedBy: null, registrationIp: null, createdAt: T0 });
    return id;
  };

  it('creates a profile on first update, merges later ones field by field, and reports the replaced avatar', async () => {
    const id = await user();
    expect(await p.many([id])).toEqual(new Map());
    const first = await p.update(id, { displayName: 'Ann', avatarKey: 'k1', equipped: { avatar_frame: 'f1', badge: 'b1' } }, T0);
    expect(first).toEqual({ profile: { userId: id, displayName: 'Ann', bio: '', avatarKey: 'k1', equipped: { avatar_frame: 'f1', badge: 'b1' }, updatedAt: T0 }, previousAvatarKey: null });
    const second = await p.update(id, { bio: 'hi', avatarKey: 'k2', equipped: { badge: null, chat_color: 'c1' } }, T1);
    const expected = { userId: id, displayName: 'Ann', bio: 'hi', avatarKey: 'k2', equipped: { avatar_frame: 'f1', chat_color: 'c1' }, updatedAt: T1 };
    expect(second).toEqual({ profile: expected, previousAvatarKey: 'k1' });
    expect((await p.many([id, newId()])).get(id)).toEqual(expected);
    expect((await p.update(id, { displayName: null }, T1)).profile.displayName).toBeNull();
  });

  it('keeps both of two concurrent patches to different fields', async () => {
    const id = await user();
    await Promise.all([p.update(id, { equipped: { badge: 'b1' } }, T0), p.update(id, { equipped: { emoji: 'e1' } }, T0), p.update(id, { bio: 'x' }, T0)]);
    expect((await p.many([id])).get(id)).toMatchObject({ bio: 'x', equipped: { badge: 'b1', emoji: 'e1' } });
  });

  it('searches username and display name prefixes, case-insensitively, newest first, paged', async () => {
    const a = await user('Zebra_one');
    const b = await user('plain_b');
    await p.update(b, { displayName: 'zebRA crossing' }, T0);
    const c = await user('zebra_two');
    await user('other');
    const d = await user('zeb');
    const first = await p.searchUserIds('ZEBRA', { limit: 2 });
    expect(first).toEqual({ items: [{ id: c }, { id: b }], nextCursor: b });
    expect(await p.searchUserIds('zebra', { limit: 2, before: b })).toEqual({ items: [{ id: a }], nextCursor: null });
    expect((await p.searchUserIds('ze', { limit: 10 })).items.map((x) => x.id)).toEqual([d, c, b, a]);
    // A user matching by both names is listed once.
    await p.update(c, { displayName: 'Zebra too' }, T0);
    expect((await p.searchUserIds('zebra', { limit: 10 })).items.map((x) => x.id)).toEqual([c, b, a]);
  });

  it('matches pattern characters literally', async () => {
    await user('a_b_c');
    await user('axbxc');
    const pct = await user('pct');
    await p.update(pct, { displayName: '100% sure' }, T0);
    expect((await p.searchUserIds('a_', { limit: 10 })).items).toHaveLength(1);
    expect((await p.searchUserIds('100%', { limit: 10 })).items).toEqual([{ id: pct }]);
    for (const q of ['%', '.*', '^a', '[a-z]', '\\']) expect((await p.searchUserIds(q, { limit: 10 })).items, q).toEqual([]);
  });

  it('removes a profile and returns its avatar key', async () => {
    const id = await user();
    await p.update(id, { avatarKey: 'k9', displayName: 'Gone' }, T0);
    expect(await p.remove(id)).toBe('k9');
    expect(await p.many([id])).toEqual(new Map());
    expect(await p.remove(id)).toBeNull();
    expect((await p.searchUserIds('gone', { limit: 5 })).items).toEqual([]);
  });
});
