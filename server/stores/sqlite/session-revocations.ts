import type { SessionRevocations } from '../../auth/sessions.js';
import type { SqliteDb } from './db.js';

const DDL = `
CREATE TABLE IF NOT EXISTS session_epochs (
  user_id TEXT PRIMARY KEY,
  epoch INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS revoked_tokens (
  jti TEXT PRIMARY KEY,
  until_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS revoked_tokens_until ON revoked_tokens (until_ms);
`;

/** The embedded default: kept in the SQLite file, so a restart forgets no logout. */
export function sqliteSessionRevocations(db: SqliteDb): SessionRevocations {
  db.exec(DDL);
  const epochOf = db.prepare<[string], { epoch: number }>('SELECT epoch FROM session_epochs WHERE user_id = ?');
  const bump = db.prepare<[string], { epoch: number }>(
    'INSERT INTO session_epochs (user_id, epoch) VALUES (?, 1) ON CONFLICT (user_id) DO UPDATE SET epoch = epoch + 1 RETURNING epoch',
  );
  const revoke = db.prepare<[string, number]>('INSERT INTO revoked_tokens (jti, until_ms) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING');
  const prune = db.prepare<[number]>('DELETE FROM revoked_tokens WHERE until_ms <= ?');
  const isRevoked = db.prepare<[string, number], { x: number }>('SELECT 1 AS x FROM revoked_tokens WHERE jti = ? AND until_ms > ?');
  return {
    async epochOf(userId) {
      return epochOf.get(userId)?.epoch ?? 0;
    },
    async nextEpoch(userId) {
      return bump.get(userId)!.epoch;
    },
    async revokeToken(jti, untilMs, nowMs) {
      // Expired entries are useless (the token is refused as expired): drop them as new ones come.
      prune.run(nowMs);
      revoke.run(jti, untilMs);
    },
    async check(userId, jti, nowMs) {
      return { epoch: epochOf.get(userId)?.epoch ?? 0, revoked: jti !== undefined && isRevoked.get(jti, nowMs) !== undefined };
    },
  };
}

