import { describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import { createMongoProfileStore } from '../../server/stores/mongo/profiles-store.js';
import { cursor, commandName, target, useWireHarness } from '../support/fake-mongo.js';

/**
 * The MongoDB profiles adapter on the wire-protocol stand-in: one atomic findAndModify per
 * change (upsert, per-slot $set/$unset, pre-image read back), and a search by plain string
 * ranges on two indexes (never a regex built from user input).
 */
const T = new Date('2026-01-05T12:00:00.000Z');
const wire = useWireHarness();

describe('profiles on the MongoDB wire', () => {
  it('applies a patch with one upserting findAndModify and merges it into the pre-image', async () => {
    wire.setHandler((c) =>
      commandName(c) === 'findandmodify'
        ? { value: { _id: 'U1', displayName: 'Old', bio: 'b', avatarKey: 'k0', equipped: { badge: 'b1', emoji: 'e1' }, updatedAt: T }, ok: 1 }
        : undefined,
    );
    const p = createMongoProfileStore(wire.connection, createIndexBuilds());
    const out = await p.update('U1', { displayName: 'Ann', avatarKey: 'k1', equipped: { badge: null, chat_color: 'c1' } }, T);
    expect(out).toEqual({
      profile: { userId: 'U1', displayName: 'Ann', bio: 'b', avatarKey: 'k1', equipped: { emoji: 'e1', chat_color: 'c1' }, updatedAt: T },
      previousAvatarKey: 'k0',
    });
    const [cmd] = wire.sent('findandmodify', 'user_profiles');
    expect(cmd).toMatchObject({
      query: { _id: 'U1' },
      update: { $set: { displayName: 'Ann', displayNameLower: 'ann', avatarKey: 'k1', 'equipped.chat_color': 'c1', updatedAt: T }, $unset: { 'equipped.badge': '' } },
      upsert: true,
      new: false,
    });
    expect(wire.indexes).toContain('displayNameLower_id');
  });

  it('searches two indexed ranges with plain string bounds and merges them newest first', async () => {
    wire.setHandler((c) => {
      if (commandName(c) !== 'find') return undefined;
      if (target(c) === 'users') return cursor(c, [{ _id: 'U3' }, { _id: 'U1' }]);
      return cursor(c, [{ _id: 'U3' }, { _id: 'U2' }]);
    });
    const p = createMongoProfileStore(wire.connection, createIndexBuilds());
    expect(await p.searchUserIds('A.*', { limit: 2, before: 'U9' })).toEqual({ items: [{ id: 'U3' }, { id: 'U2' }], nextCursor: 'U2' });
    const [users] = wire.sent('find', 'users');
    const [profiles] = wire.sent('find', 'user_profiles');
    const range = { $gte: 'a.*', $lt: 'a.*\u{10FFFF}' };
    expect(users).toMatchObject({ filter: { usernameLower: range, _id: { $lt: 'U9' } }, sort: { _id: -1 }, limit: 3 });
    expect(profiles).toMatchObject({ filter: { displayNameLower: range, _id: { $lt: 'U9' } }, sort: { _id: -1 }, limit: 3 });
  });
});

describe('account deletion on the MongoDB wire', () => {
  it('renames and bans in one committed transaction, keeping an earlier ban', async () => {
    const { createRecordStores } = await import('../../server/stores/records.js');
    const s = await createRecordStores({ kind: 'mongodb', connection: wire.connection, indexBuilds: createIndexBuilds(), close: () => wire.connection.close() });
    expect(await s.users.markDeleted('U1', T)).toBe(true);
    const [rename, ban] = wire.sent('update', 'users');
    expect(rename).toMatchObject({
      updates: [{ q: { _id: 'U1', username: { $ne: '~deleted~U1' } }, u: { $set: { username: '~deleted~U1', usernameLower: '~deleted~u1', passwordHash: '!', pinHash: null } } }],
      startTransaction: true,
      autocommit: false,
    });
    expect(ban).toMatchObject({ updates: [{ q: { _id: 'U1', bannedAt: null }, u: { $set: { bannedAt: T } } }] });
    expect(ban!['txnNumber']).toEqual(rename!['txnNumber']);
    expect(wire.fake.commands.some((c) => commandName(c) === 'committransaction')).toBe(true);
  });
});
