import type { EquippedCosmetics, ProfileRecord, ProfileStore } from '../../users/profile-ports.js';
import { EMPTY_PROFILE, applyPatch, prefixRangeEnd, searchKey } from '../../users/profile-ports.js';
import type { SqliteDb } from './db.js';
import { fromMs, idList, pagedQuery, toMs } from './columns.js';

/*
 * Profiles over SQLite. The search reads two index ranges (username_lower on users,
 * display_name_lower here): prefix matching by range, never LIKE, so no character of the
 * prefix is a pattern.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS user_profiles (
  user_id TEXT PRIMARY KEY,
  display_name TEXT,
  display_name_lower TEXT,
  bio TEXT NOT NULL,
  avatar_key TEXT,
  equipped TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS user_profiles_display_name_lower ON user_profiles (display_name_lower);
`;

interface ProfileRow {
  user_id: string;
  display_name: string | null;
  bio: string;
  avatar_key: string | null;
  equipped: string;
  updated_at: number;
}

const fromRow = (r: ProfileRow): ProfileRecord => ({
  userId: r.user_id,
  displayName: r.display_name,
  bio: r.bio,
  avatarKey: r.avatar_key,
  equipped: JSON.parse(r.equipped) as EquippedCosmetics,
  updatedAt: fromMs(r.updated_at),
});

export function createSqliteProfileStore(db: SqliteDb): ProfileStore {
  db.exec(DDL);
  const byId = db.prepare<[string], ProfileRow>('SELECT * FROM user_profiles WHERE user_id = ?');
  const byIds = db.prepare<[string], ProfileRow>('SELECT * FROM user_profiles WHERE user_id IN (SELECT value FROM json_each(?))');
  const upsert = db.prepare(
    `INSERT INTO user_profiles (user_id, display_name, display_name_lower, bio, avatar_key, equipped, updated_at)
     VALUES (@userId, @displayName, @displayNameLower, @bio, @avatarKey, @equipped, @updatedAt)
     ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, display_name_lower = excluded.display_name_lower,
       bio = excluded.bio, avatar_key = excluded.avatar_key, equipped = excluded.equipped, updated_at = excluded.updated_at`,
  );
  const del = db.prepare<[string]>('DELETE FROM user_profiles WHERE user_id = ?');
  const search = pagedQuery<{ lo: string; hi: string }, { id: string }, { id: string }>(
    db,
    'id',
    (cursor) => `SELECT id FROM (
        SELECT id FROM users WHERE username_lower >= @lo AND username_lower < @hi
        UNION
        SELECT user_id AS id FROM user_profiles WHERE display_name_lower >= @lo AND display_name_lower < @hi
      ) WHERE 1 = 1 ${cursor} ORDER BY id DESC LIMIT @limit`,
    (r) => ({ id: r.id }),
  );

  // Read, merge and write in one transaction: SQLite runs it alone, so concurrent patches never lose each other's fields.
  const updateTx = db.transaction((userId: string, patch: Parameters<ProfileStore['update']>[1], at: Date) => {
    const row = byId.get(userId);
    const before = row ? fromRow(row) : EMPTY_PROFILE(userId, at);
    const after = applyPatch(before, patch, at);
    upsert.run({
      userId,
      displayName: after.displayName,
      displayNameLower: after.displayName === null ? null : searchKey(after.displayName),
      bio: after.bio,
      avatarKey: after.avatarKey,
      equipped: JSON.stringify(after.equipped),
      updatedAt: toMs(at),
    });
    return { profile: after, previousAvatarKey: before.avatarKey };
  });
  const removeTx = db.transaction((userId: string) => {
    const row = byId.get(userId);
    del.run(userId);
    return row?.avatar_key ?? null;
  });

  return {
    async many(userIds) {
      const out = new Map<string, ProfileRecord>();
      if (userIds.length === 0) return out;
      for (const row of byIds.all(idList(userIds))) out.set(row.user_id, fromRow(row));
      return out;
    },
    async update(userId, patch, at) {
      return updateTx(userId, patch, at);
    },
    async searchUserIds(prefix, opts) {
      const lo = searchKey(prefix);
      return search({ lo, hi: prefixRangeEnd(lo) }, opts);
    },
    async remove(userId) {
      return removeTx(userId);
    },
  };
}
