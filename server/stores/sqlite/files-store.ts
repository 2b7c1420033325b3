import type { FileRecord, FileStore } from '../ports.js';
import type { SqliteDb } from './db.js';
import { fromMs, toMs } from './columns.js';

const DDL = `
CREATE TABLE IF NOT EXISTS files (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  mime TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS files_owner ON files (owner_id);
CREATE TABLE IF NOT EXISTS file_shares (
  file_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  shared_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (file_id, room_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS file_viewers (
  file_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (file_id, user_id)
) STRICT, WITHOUT ROWID;
`;

interface FileRow {
  id: string;
  owner_id: string;
  name: string;
  size: number;
  mime: string;
  storage_key: string;
  created_at: number;
}

const fromRow = (r: FileRow): FileRecord => ({
  id: r.id,
  ownerId: r.owner_id,
  name: r.name,
  size: r.size,
  mime: r.mime,
  storageKey: r.storage_key,
  createdAt: fromMs(r.created_at),
});

/** File metadata, shares and distinct viewers over SQLite (the bytes live in blob storage). */
export function createSqliteFileStore(db: SqliteDb): FileStore {
  db.exec(DDL);
  const insert = db.prepare(
    `INSERT INTO files (id, owner_id, name, size, mime, storage_key, created_at)
     VALUES (@id, @ownerId, @name, @size, @mime, @storageKey, @createdAt)`,
  );
  const byId = db.prepare<[string], FileRow>('SELECT * FROM files WHERE id = ?');
  const sumSize = db.prepare<[string], { n: number }>('SELECT COALESCE(SUM(size), 0) AS n FROM files WHERE owner_id = ?');
  const countOwner = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM files WHERE owner_id = ?');
  const insertShare = db.prepare(
    `INSERT INTO file_shares (file_id, room_id, message_id, shared_by, created_at)
     VALUES (@fileId, @roomId, @messageId, @sharedBy, @at) ON CONFLICT DO NOTHING`,
  );
  const roomsOf = db.prepare<[string], { room_id: string }>('SELECT room_id FROM file_shares WHERE file_id = ? ORDER BY room_id');
  const insertViewer = db.prepare<[string, string, number]>(
    'INSERT INTO file_viewers (file_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const countViewers = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM file_viewers WHERE file_id = ?');
  const viewerIdsOf = db.prepare<[string, number], { user_id: string }>('SELECT user_id FROM file_viewers WHERE file_id = ? ORDER BY created_at, user_id LIMIT ?');
  const largestOf = db.prepare<[string, number], { n: number }>('SELECT COALESCE(MAX(size), 0) AS n FROM files WHERE owner_id = ? AND created_at >= ?');
  const viewTx = db.transaction((v: { fileId: string; userId: string; at: Date }) => {
    const added = insertViewer.run(v.fileId, v.userId, toMs(v.at)).changes === 1;
    return { distinctViewers: countViewers.get(v.fileId)?.n ?? 0, added };
  });

  return {
    async create(file) {
      insert.run({ ...file, createdAt: toMs(file.createdAt) });
      return { ...file };
    },
    async findById(id) {
      const row = byId.get(id);
      return row ? fromRow(row) : null;
    },
    async usedBytes(ownerId) {
      return sumSize.get(ownerId)?.n ?? 0;
    },
    async countByOwner(ownerId) {
      return countOwner.get(ownerId)?.n ?? 0;
    },
    async addShare(s) {
      insertShare.run({ ...s, at: toMs(s.at) });
    },
    async sharedRoomIds(fileId) {
      return roomsOf.all(fileId).map((r) => r.room_id);
    },
    async addViewer(v) {
      return viewTx(v);
    },
    async viewerIds(fileId, limit) {
      return viewerIdsOf.all(fileId, limit).map((r) => r.user_id);
    },
    async largestSince(ownerId, since) {
      return largestOf.get(ownerId, toMs(since))?.n ?? 0;
    },
  };
}
