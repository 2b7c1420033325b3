import type { NewUser, UserRecord, UserRole, UserStore } from '../ports.js';
import type { SqliteDb } from './db.js';
import { fromMs, fromMsOrNull, idList, toMs, toMsOrNull } from './columns.js';
import { deletedUsername, usernameKey } from '../usernames.js';

const DDL = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  username_lower TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  public_key TEXT,
  role TEXT NOT NULL CHECK (role IN ('user', 'admin')),
  pin_hash TEXT,
  invite_code TEXT NOT NULL,
  invited_by TEXT,
  registration_ip TEXT,
  banned_at INTEGER,
  created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS users_username_lower ON users (username_lower);
CREATE UNIQUE INDEX IF NOT EXISTS users_invite_code ON users (invite_code);
CREATE INDEX IF NOT EXISTS users_invited_by ON users (invited_by);
`;

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  public_key: string | null;
  role: UserRole;
  pin_hash: string | null;
  invite_code: string;
  invited_by: string | null;
  registration_ip: string | null;
  banned_at: number | null;
  created_at: number;
}

const fromRow = (r: UserRow): UserRecord => ({
  id: r.id,
  username: r.username,
  passwordHash: r.password_hash,
  publicKey: r.public_key,
  role: r.role,
  pinHash: r.pin_hash,
  inviteCode: r.invite_code,
  invitedBy: r.invited_by,
  registrationIp: r.registration_ip,
  bannedAt: fromMsOrNull(r.banned_at),
  createdAt: fromMs(r.created_at),
});

/** Users over SQLite; the username is unique case-insensitively through `username_lower`. */
export function createSqliteUserStore(db: SqliteDb): UserStore {
  db.exec(DDL);
  // Only a username clash is an expected outcome; a clash on id or invite code is a bug and throws.
  const insert = db.prepare(
    `INSERT INTO users (id, username, username_lower, password_hash, public_key, role, pin_hash, invite_code,
       invited_by, registration_ip, banned_at, created_at)
     VALUES (@id, @username, @usernameLower, @passwordHash, @publicKey, @role, NULL, @inviteCode,
       @invitedBy, @registrationIp, NULL, @createdAt)
     ON CONFLICT (username_lower) DO NOTHING`,
  );
  const byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
  const byPrefix = db.prepare<[string, string, number], UserRow>('SELECT * FROM users WHERE username_lower >= ? AND username_lower < ? ORDER BY username_lower LIMIT ?');
  const byUsername = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username_lower = ?');
  const byInviteCode = db.prepare<[string], UserRow>('SELECT * FROM users WHERE invite_code = ?');
  const byIds = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id');
  const updateRole = db.prepare<[UserRole, string]>('UPDATE users SET role = ? WHERE id = ?');
  const updatePassword = db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE id = ?');
  const updatePin = db.prepare<[string, string]>('UPDATE users SET pin_hash = ? WHERE id = ?');
  const updateBanned = db.prepare<[number | null, string]>('UPDATE users SET banned_at = ? WHERE id = ?');
  // A hash verifySecret never accepts ('!' has no scrypt fields).
  const markDeleted = db.prepare<{ id: string; username: string; at: number }>(
    `UPDATE users SET username = @username, username_lower = lower(@username), password_hash = '!', pin_hash = NULL, public_key = NULL,
       registration_ip = NULL, banned_at = COALESCE(banned_at, @at) WHERE id = @id AND username <> @username`,
  );

  return {
    async create(user: NewUser) {
      const result = insert.run({
        id: user.id,
        username: user.username,
        usernameLower: usernameKey(user.username),
        passwordHash: user.passwordHash,
        publicKey: user.publicKey,
        role: user.role ?? 'user',
        inviteCode: user.inviteCode,
        invitedBy: user.invitedBy,
        registrationIp: user.registrationIp,
        createdAt: toMs(user.createdAt),
      });
      if (result.changes === 0) return null;
      const row = byId.get(user.id);
      if (!row) throw new Error(`user ${user.id} vanished right after insert`);
      return fromRow(row);
    },
    async findById(id) {
      const row = byId.get(id);
      return row ? fromRow(row) : null;
    },
    async findByUsername(username) {
      const row = byUsername.get(usernameKey(username));
      return row ? fromRow(row) : null;
    },
    async findByInviteCode(code) {
      const row = byInviteCode.get(code);
      return row ? fromRow(row) : null;
    },
    async findManyByIds(ids) {
      if (ids.length === 0) return [];
      // One id (a message's author) is a primary-key get, cheaper than a json_each list and sort.
      if (ids.length === 1) {
        const row = byId.get(ids[0]!);
        return row ? [fromRow(row)] : [];
      }
      return byIds.all(idList(ids)).map(fromRow);
    },
    async setRole(id, role) {
      updateRole.run(role, id);
    },
    async setPasswordHash(id, passwordHash) {
      updatePassword.run(passwordHash, id);
    },
    async setPinHash(id, pinHash) {
      updatePin.run(pinHash, id);
    },
    async setBanned(id, bannedAt) {
      updateBanned.run(toMsOrNull(bannedAt), id);
    },
    async searchByUsernamePrefix(prefix, limit) {
      const low = prefix.toLowerCase();
      // '~' sorts after every username character ([a-z0-9_]), so this is a range on the unique index.
      return byPrefix.all(low, `${low}~`, limit).map(fromRow);
    },
    async markDeleted(id, at) {
      return markDeleted.run({ id, username: deletedUsername(id), at: toMs(at) }).changes === 1;
    },
  };
}
