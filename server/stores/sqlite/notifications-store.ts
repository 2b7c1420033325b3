import type { NotificationRecord, NotificationStore } from '../ports.js';
import type { SqliteDb } from './db.js';
import { fromMs, fromMsOrNull, idList, pagedQuery, toMs, toMsOrNull } from './columns.js';

const DDL = `
CREATE TABLE IF NOT EXISTS notifications (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  read_at INTEGER,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS notifications_user ON notifications (user_id, id);
CREATE INDEX IF NOT EXISTS notifications_user_unread ON notifications (user_id, id) WHERE read_at IS NULL;
`;

interface NotificationRow {
  id: string;
  user_id: string;
  type: string;
  data: string;
  read_at: number | null;
  created_at: number;
}

const fromRow = (r: NotificationRow): NotificationRecord => ({
  id: r.id,
  userId: r.user_id,
  type: r.type,
  data: JSON.parse(r.data) as Record<string, unknown>,
  readAt: fromMsOrNull(r.read_at),
  createdAt: fromMs(r.created_at),
});

/** Per-user notifications over SQLite; `data` is stored as JSON text. */
export function createSqliteNotificationStore(db: SqliteDb): NotificationStore {
  db.exec(DDL);
  const insert = db.prepare(
    `INSERT INTO notifications (id, user_id, type, data, read_at, created_at)
     VALUES (@id, @userId, @type, @data, @readAt, @createdAt)`,
  );
  const allPage = pagedQuery<{ userId: string }, NotificationRow, NotificationRecord>(
    db,
    'id',
    (cursor) => `SELECT * FROM notifications WHERE user_id = @userId ${cursor} ORDER BY id DESC LIMIT @limit`,
    fromRow,
  );
  const unreadPage = pagedQuery<{ userId: string }, NotificationRow, NotificationRecord>(
    db,
    'id',
    (cursor) => `SELECT * FROM notifications WHERE user_id = @userId AND read_at IS NULL ${cursor} ORDER BY id DESC LIMIT @limit`,
    fromRow,
  );
  // `user_id = ?` is what makes another user's ids a no-op.
  const markRead = db.prepare<[number, string, string]>(
    'UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL AND id IN (SELECT value FROM json_each(?))',
  );

  return {
    async create(n) {
      insert.run({ ...n, data: JSON.stringify(n.data), readAt: toMsOrNull(n.readAt), createdAt: toMs(n.createdAt) });
    },
    async list(userId, opts) {
      return (opts.unreadOnly ? unreadPage : allPage)({ userId }, opts);
    },
    async markRead(userId, ids, at) {
      if (ids.length === 0) return 0;
      return markRead.run(toMs(at), userId, idList(ids)).changes;
    },
  };
}
