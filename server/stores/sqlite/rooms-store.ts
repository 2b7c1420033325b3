import type { MembershipRecord, RoomBanRecord, RoomCustomizationRecord, RoomRecord, RoomRole, RoomStore, RoomVisibility } from '../ports.js';
import { directRoomStatements } from './direct-rooms.js';
import type { SqliteDb } from './db.js';
import { fromMs, idList, pagedQuery, toMs } from './columns.js';

const DDL = `
CREATE TABLE IF NOT EXISTS rooms (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
  owner_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS rooms_owner ON rooms (owner_id);
CREATE INDEX IF NOT EXISTS rooms_visibility ON rooms (visibility, id);
CREATE TABLE IF NOT EXISTS room_members (
  room_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS room_members_user ON room_members (user_id, room_id);
CREATE TABLE IF NOT EXISTS room_first_joins (
  room_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS room_invites (
  room_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  invited_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS room_bans (
  room_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  banned_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS room_customizations (
  room_id TEXT PRIMARY KEY,
  color TEXT NOT NULL,
  theme TEXT NOT NULL,
  purchase_id TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;

interface CustomizationRow {
  room_id: string;
  color: string;
  theme: string;
  purchase_id: string;
  updated_by: string;
  updated_at: number;
}

export interface RoomRow {
  id: string;
  name: string;
  description: string;
  visibility: RoomVisibility;
  owner_id: string;
  created_at: number;
}

interface MemberRow {
  room_id: string;
  user_id: string;
  role: RoomRole;
  joined_at: number;
}

const roomFromRow = (r: RoomRow): RoomRecord => ({
  id: r.id,
  name: r.name,
  description: r.description,
  visibility: r.visibility,
  ownerId: r.owner_id,
  createdAt: fromMs(r.created_at),
});

const memberFromRow = (r: MemberRow): MembershipRecord => ({
  roomId: r.room_id,
  userId: r.user_id,
  role: r.role,
  joinedAt: fromMs(r.joined_at),
});

/** Rooms, memberships, invites and bans over SQLite. */
export function createSqliteRoomStore(db: SqliteDb): RoomStore {
  db.exec(DDL);
  const insertRoom = db.prepare(
    `INSERT INTO rooms (id, name, description, visibility, owner_id, created_at)
     VALUES (@id, @name, @description, @visibility, @ownerId, @createdAt)`,
  );
  const insertMember = db.prepare(
    `INSERT INTO room_members (room_id, user_id, role, joined_at) VALUES (@roomId, @userId, @role, @joinedAt)
     ON CONFLICT (room_id, user_id) DO NOTHING`,
  );
  const roomById = db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE id = ?');
  const countOwned = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM rooms WHERE owner_id = ?');
  const visiblePage = pagedQuery<{ userId: string }, RoomRow, RoomRecord>(
    db,
    'r.id',
    (cursor) => `SELECT r.* FROM rooms r
      WHERE (r.visibility = 'public' OR (r.owner_id <> '' AND EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = @userId)))
      ${cursor}
      ORDER BY r.id DESC LIMIT @limit`,
    roomFromRow,
  );
  const memberOf = db.prepare<[string, string], MemberRow>('SELECT * FROM room_members WHERE room_id = ? AND user_id = ?');
  const membersOf = db.prepare<[string], MemberRow>('SELECT * FROM room_members WHERE room_id = ? ORDER BY joined_at, user_id');
  const memberIdsOf = db.prepare<[string], { user_id: string }>('SELECT user_id FROM room_members WHERE room_id = ? ORDER BY user_id');
  // Served by the room_members_user index (user_id, room_id): no sort, no table scan.
  const roomIdsOfUser = db.prepare<[string], { room_id: string }>('SELECT room_id FROM room_members WHERE user_id = ? ORDER BY room_id');
  // The owner's membership goes only with the room itself, so neither a kick nor a ban removes it.
  const deleteMember = db.prepare<[string, string]>("DELETE FROM room_members WHERE room_id = ? AND user_id = ? AND role <> 'owner'");
  const insertFirstJoin = db.prepare<[string, string, number]>(
    'INSERT INTO room_first_joins (room_id, user_id, joined_at) VALUES (?, ?, ?) ON CONFLICT (room_id, user_id) DO NOTHING',
  );
  const updateRole = db.prepare<[RoomRole, string, string]>('UPDATE room_members SET role = ? WHERE room_id = ? AND user_id = ?');
  const insertInvite = db.prepare(
    `INSERT INTO room_invites (room_id, user_id, invited_by, created_at) VALUES (@roomId, @userId, @invitedBy, @createdAt)
     ON CONFLICT (room_id, user_id) DO NOTHING`,
  );
  const inviteOf = db.prepare<[string, string], { x: number }>('SELECT 1 AS x FROM room_invites WHERE room_id = ? AND user_id = ?');
  const insertBan = db.prepare(
    `INSERT INTO room_bans (room_id, user_id, banned_by, created_at) VALUES (@roomId, @userId, @bannedBy, @createdAt)
     ON CONFLICT (room_id, user_id) DO NOTHING`,
  );
  const deleteBan = db.prepare<[string, string]>('DELETE FROM room_bans WHERE room_id = ? AND user_id = ?');
  const banOf = db.prepare<[string, string], { x: number }>('SELECT 1 AS x FROM room_bans WHERE room_id = ? AND user_id = ?');

  // The first purchase used on the room stays recorded; later edits change the theme only.
  const upsertCustomization = db.prepare(
    `INSERT INTO room_customizations (room_id, color, theme, purchase_id, updated_by, updated_at)
     VALUES (@roomId, @color, @theme, @purchaseId, @updatedBy, @updatedAt)
     ON CONFLICT (room_id) DO UPDATE SET color = excluded.color, theme = excluded.theme, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
  );
  const customizationsIn = db.prepare<[string], CustomizationRow>('SELECT * FROM room_customizations WHERE room_id IN (SELECT value FROM json_each(?))');

  const createTx = db.transaction((room: RoomRecord) => {
    const createdAt = toMs(room.createdAt);
    insertRoom.run({ ...room, createdAt });
    insertMember.run({ roomId: room.id, userId: room.ownerId, role: 'owner', joinedAt: createdAt });
  });
  const banTx = db.transaction((ban: RoomBanRecord): { removedMember: boolean } => {
    insertBan.run({ ...ban, createdAt: toMs(ban.createdAt) });
    return { removedMember: deleteMember.run(ban.roomId, ban.userId).changes === 1 };
  });
  const banRowOf = db.prepare<[string, string], { room_id: string; user_id: string; banned_by: string; created_at: number }>(
    'SELECT * FROM room_bans WHERE room_id = ? AND user_id = ?',
  );
  // Check and insert in one transaction: a ban committed by another connection (another node on
  // the same file) is either seen here, or lands after the insert and removes the membership.
  const joinTx = db.transaction((m: MembershipRecord) => {
    if (banOf.get(m.roomId, m.userId) !== undefined) return { banned: true as const };
    const result = insertMember.run({ ...m, joinedAt: toMs(m.joinedAt) });
    if (result.changes === 1) return { banned: false as const, membership: { ...m }, created: true };
    const existing = memberOf.get(m.roomId, m.userId);
    if (!existing) throw new Error(`membership ${m.roomId}/${m.userId} conflicted but cannot be read`);
    return { banned: false as const, membership: memberFromRow(existing), created: false };
  });

  // Direct rooms and room management (issue 10, h10a).
  const direct = directRoomStatements(db, roomFromRow);

  return {
    ...direct,
    async create(room) {
      createTx(room);
      return { ...room };
    },
    async findById(id) {
      const row = roomById.get(id);
      return row ? roomFromRow(row) : null;
    },
    async listVisibleTo(userId, opts) {
      return visiblePage({ userId }, opts);
    },
    async countOwnedBy(userId) {
      return countOwned.get(userId)?.n ?? 0;
    },
    async getMembership(roomId, userId) {
      const row = memberOf.get(roomId, userId);
      return row ? memberFromRow(row) : null;
    },
    async listMembers(roomId) {
      return membersOf.all(roomId).map(memberFromRow);
    },
    async listMemberIds(roomId) {
      return memberIdsOf.all(roomId).map((r) => r.user_id);
    },
    async listRoomIdsOfUser(userId) {
      return roomIdsOfUser.all(userId).map((r) => r.room_id);
    },
    async addMember(m) {
      const result = insertMember.run({ ...m, joinedAt: toMs(m.joinedAt) });
      if (result.changes === 1) return { membership: { ...m }, created: true };
      const existing = memberOf.get(m.roomId, m.userId);
      if (!existing) throw new Error(`membership ${m.roomId}/${m.userId} conflicted but cannot be read`);
      return { membership: memberFromRow(existing), created: false };
    },
    async removeMember(roomId, userId) {
      return deleteMember.run(roomId, userId).changes === 1;
    },
    async recordFirstJoin(roomId, userId, at) {
      return insertFirstJoin.run(roomId, userId, toMs(at)).changes === 1;
    },
    async setMemberRole(roomId, userId, role) {
      if (updateRole.run(role, roomId, userId).changes === 0) return null;
      const row = memberOf.get(roomId, userId);
      return row ? memberFromRow(row) : null;
    },
    async addInvite(invite) {
      insertInvite.run({ ...invite, createdAt: toMs(invite.createdAt) });
    },
    async hasInvite(roomId, userId) {
      return inviteOf.get(roomId, userId) !== undefined;
    },
    async addBan(ban) {
      banTx.immediate(ban);
    },
    async banMember(ban) {
      // IMMEDIATE takes the write lock before reading, so two connections cannot both decide on
      // a stale snapshot.
      return banTx.immediate(ban);
    },
    async addMemberUnlessBanned(m) {
      return joinTx.immediate(m);
    },
    async getBan(roomId, userId) {
      const row = banRowOf.get(roomId, userId);
      return row ? { roomId: row.room_id, userId: row.user_id, bannedBy: row.banned_by, createdAt: fromMs(row.created_at) } : null;
    },
    async removeBan(roomId, userId) {
      return deleteBan.run(roomId, userId).changes === 1;
    },
    async isBanned(roomId, userId) {
      return banOf.get(roomId, userId) !== undefined;
    },
    async setCustomization(c) {
      upsertCustomization.run({ ...c, updatedAt: toMs(c.updatedAt) });
    },
    async customizationsOf(roomIds) {
      const out = new Map<string, RoomCustomizationRecord>();
      if (roomIds.length === 0) return out;
      for (const r of customizationsIn.all(idList(roomIds))) {
        out.set(r.room_id, { roomId: r.room_id, color: r.color, theme: r.theme, purchaseId: r.purchase_id, updatedBy: r.updated_by, updatedAt: fromMs(r.updated_at) });
      }
      return out;
    },
  };
}
