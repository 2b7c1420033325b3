import type { DirectRoomRecord, RoomRecord, RoomStore } from '../ports.js';
import type { RoomRow } from './rooms-store.js';
import type { SqliteDb } from './db.js';
import { pagedQuery, toMs } from './columns.js';

/*
 * Direct rooms and room management over SQLite, on the rooms tables of rooms-store.ts (whose DDL
 * must have run first). A direct room is a row of `rooms` with owner_id '' plus one row here per
 * pair; the pair key (the two ids sorted, joined by ':') is the primary key, so one pair has one
 * room however many calls race.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS direct_rooms (
  pair_key TEXT PRIMARY KEY,
  room_id TEXT NOT NULL UNIQUE,
  user_a TEXT NOT NULL,
  user_b TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS direct_rooms_user_a ON direct_rooms (user_a, room_id);
CREATE INDEX IF NOT EXISTS direct_rooms_user_b ON direct_rooms (user_b, room_id);
`;

type DirectRow = RoomRow & { peer_id: string };

/** Both orders of a pair give one key. */
export const pairKey = (a: string, b: string): string => (a < b ? `${a}:${b}` : `${b}:${a}`);

type DirectStatements = Pick<RoomStore, 'openDirect' | 'listDirectOf' | 'updateDetails' | 'transferOwnership' | 'deleteRoom'>;

/** `roomFromRow`: rooms-store's row mapping, passed in so both read rooms the same way. */
export function directRoomStatements(db: SqliteDb, roomFromRow: (row: RoomRow) => RoomRecord): DirectStatements {
  db.exec(DDL);
  const roomOfPair = db.prepare<[string], RoomRow>('SELECT r.* FROM direct_rooms d JOIN rooms r ON r.id = d.room_id WHERE d.pair_key = ?');
  const insertPair = db.prepare('INSERT INTO direct_rooms (pair_key, room_id, user_a, user_b) VALUES (@pairKey, @roomId, @userA, @userB) ON CONFLICT (pair_key) DO NOTHING');
  const insertRoom = db.prepare(
    `INSERT INTO rooms (id, name, description, visibility, owner_id, created_at) VALUES (@id, @name, @description, @visibility, @ownerId, @createdAt)`,
  );
  const insertMember = db.prepare(
    `INSERT INTO room_members (room_id, user_id, role, joined_at) VALUES (?, ?, 'member', ?) ON CONFLICT (room_id, user_id) DO NOTHING`,
  );
  // Two index range scans (one per column) merged, newest room first.
  const directPage = pagedQuery<{ userId: string }, DirectRow, DirectRoomRecord>(
    db,
    'r.id',
    (cursor) => `SELECT r.*, CASE WHEN d.user_a = @userId THEN d.user_b ELSE d.user_a END AS peer_id
      FROM direct_rooms d JOIN rooms r ON r.id = d.room_id
      WHERE (d.user_a = @userId OR d.user_b = @userId) ${cursor}
      ORDER BY r.id DESC LIMIT @limit`,
    (row) => ({ ...roomFromRow(row), peerId: row.peer_id }),
  );
  const roomById = db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE id = ?');
  const setName = db.prepare<[string, string]>('UPDATE rooms SET name = ? WHERE id = ?');
  const setDescription = db.prepare<[string, string]>('UPDATE rooms SET description = ? WHERE id = ?');
  const moveOwner = db.prepare<[string, string, string]>('UPDATE rooms SET owner_id = ? WHERE id = ? AND owner_id = ?');
  const memberExists = db.prepare<[string, string], { x: number }>('SELECT 1 AS x FROM room_members WHERE room_id = ? AND user_id = ?');
  const setRole = db.prepare<[string, string, string]>('UPDATE room_members SET role = ? WHERE room_id = ? AND user_id = ?');
  const memberIds = db.prepare<[string], { user_id: string }>('SELECT user_id FROM room_members WHERE room_id = ? ORDER BY user_id');
  const deletes = ['room_members', 'room_invites', 'room_bans', 'room_customizations'].map((t) => db.prepare<[string]>(`DELETE FROM ${t} WHERE room_id = ?`));
  const deleteRoomRow = db.prepare<[string]>('DELETE FROM rooms WHERE id = ?');

  const openTx = db.transaction((room: RoomRecord, a: string, b: string): { room: RoomRecord; created: boolean } => {
    const key = pairKey(a, b);
    if (insertPair.run({ pairKey: key, roomId: room.id, userA: a, userB: b }).changes === 0) {
      const existing = roomOfPair.get(key);
      if (!existing) throw new Error(`direct room of ${key} is recorded but cannot be read`);
      return { room: roomFromRow(existing), created: false };
    }
    const createdAt = toMs(room.createdAt);
    insertRoom.run({ ...room, createdAt });
    insertMember.run(room.id, a, createdAt);
    insertMember.run(room.id, b, createdAt);
    return { room: { ...room }, created: true };
  });
  const updateTx = db.transaction((roomId: string, d: { name?: string; description?: string }) => {
    if (d.name !== undefined) setName.run(d.name, roomId);
    if (d.description !== undefined) setDescription.run(d.description, roomId);
    return roomById.get(roomId);
  });
  const transferTx = db.transaction((roomId: string, from: string, to: string): boolean => {
    if (!memberExists.get(roomId, to)) return false;
    if (moveOwner.run(to, roomId, from).changes === 0) return false;
    setRole.run('owner', roomId, to);
    setRole.run('moderator', roomId, from);
    return true;
  });
  const deleteTx = db.transaction((roomId: string): string[] => {
    if (!roomById.get(roomId)) return [];
    const ids = memberIds.all(roomId).map((r) => r.user_id);
    for (const d of deletes) d.run(roomId);
    deleteRoomRow.run(roomId);
    return ids;
  });

  return {
    async openDirect(room, [a, b]) {
      return openTx(room, a, b);
    },
    async listDirectOf(userId, opts) {
      return directPage({ userId }, opts);
    },
    async updateDetails(roomId, details) {
      const row = updateTx(roomId, details);
      return row ? roomFromRow(row) : null;
    },
    async transferOwnership(roomId, from, to) {
      return transferTx(roomId, from, to);
    },
    async deleteRoom(roomId) {
      return deleteTx(roomId);
    },
  };
}
