import type { MessageRecord, Page, RoomReadState } from '../ports.js';
import type { SqliteDb } from './db.js';
import { pagedQuery, toMs } from './columns.js';
import { ftsMatchExpression } from '../search-terms.js';

/*
 * The SQLite side of issue 10 (edit, delete, replies, read markers, mentions, search), kept apart
 * from the base message store so each file has one job.
 */

const NEW_COLUMNS: ReadonlyArray<[string, string]> = [
  ['reply_to', 'TEXT'],
  ['edited_at', 'INTEGER'],
  ['deleted_at', 'INTEGER'],
  // The time of the last edit or deletion: what the catch-up route asks for, by room.
  ['changed_at', 'INTEGER'],
];

const DDL = `
CREATE INDEX IF NOT EXISTS messages_room_changed ON messages (room_id, changed_at) WHERE changed_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS message_mentions (
  user_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  PRIMARY KEY (user_id, room_id, message_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS message_mentions_message ON message_mentions (message_id);
CREATE TABLE IF NOT EXISTS read_markers (
  user_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id)
) STRICT, WITHOUT ROWID;
`;

/*
 * Full-text index over the body, with the room id as a second indexed column so a search matches
 * `room_id : "<id>" AND (...)`: both posting lists are intersected inside FTS5, never a scan of
 * every match in every room. External content (the messages table) keeps one copy of each body;
 * the triggers keep the index in step with inserts, edits and tombstones (body '').
 */
const FTS_DDL = `
CREATE VIRTUAL TABLE messages_fts USING fts5(body, room_id, content='messages', content_rowid='rowid');
CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts(rowid, body, room_id) VALUES (new.rowid, new.body, new.room_id);
END;
CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body, room_id) VALUES ('delete', old.rowid, old.body, old.room_id);
END;
CREATE TRIGGER messages_fts_au AFTER UPDATE OF body ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body, room_id) VALUES ('delete', old.rowid, old.body, old.room_id);
  INSERT INTO messages_fts(rowid, body, room_id) VALUES (new.rowid, new.body, new.room_id);
END;
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
`;

/** Adds the issue-10 columns, tables and the FTS5 index to an existing or new database (idempotent). */
export function applyChatEssentialsSchema(db: SqliteDb): void {
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('messages')").all();
  for (const [name, type] of NEW_COLUMNS) {
    if (!columns.some((c) => c.name === name)) db.exec(`ALTER TABLE messages ADD COLUMN ${name} ${type}`);
  }
  db.exec(DDL);
  const hasFts = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'messages_fts'").get()?.n === 1;
  // Created once, with a rebuild, so messages stored before the upgrade are searchable too.
  if (!hasFts) db.transaction(() => db.exec(FTS_DDL))();
}

/** Read markers and mentions: the unread and mention counts of room views. */
export function createMessageReads(db: SqliteDb) {
  const insertMention = db.prepare<[string, string, string]>(
    'INSERT INTO message_mentions (user_id, room_id, message_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const deleteMentions = db.prepare<[string]>('DELETE FROM message_mentions WHERE message_id = ?');
  // Monotonic: a marker only moves to a greater id (ULIDs sort by time).
  const upsertMarker = db.prepare<{ userId: string; roomId: string; messageId: string; at: number }>(
    `INSERT INTO read_markers (user_id, room_id, message_id, updated_at) VALUES (@userId, @roomId, @messageId, @at)
     ON CONFLICT (user_id, room_id) DO UPDATE SET message_id = excluded.message_id, updated_at = excluded.updated_at
     WHERE excluded.message_id > read_markers.message_id`,
  );
  const markerOf = db.prepare<[string, string], { message_id: string }>('SELECT message_id FROM read_markers WHERE user_id = ? AND room_id = ?');
  const markersOf = db.prepare<[string, string], { room_id: string; message_id: string }>(
    'SELECT room_id, message_id FROM read_markers WHERE user_id = ? AND room_id IN (SELECT value FROM json_each(?))',
  );
  // Each count stops at @cap rows: an index range on (room_id, id) / the mentions key, never a room scan.
  const unreadOf = db.prepare<{ roomId: string; userId: string; after: string; cap: number }, { n: number }>(
    `SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages WHERE room_id = @roomId AND id > @after
       AND author_id <> @userId AND deleted_at IS NULL LIMIT @cap)`,
  );
  const mentionsOf = db.prepare<{ roomId: string; userId: string; after: string; cap: number }, { n: number }>(
    `SELECT COUNT(*) AS n FROM (SELECT 1 FROM message_mentions WHERE user_id = @userId AND room_id = @roomId
       AND message_id > @after LIMIT @cap)`,
  );
  const addTx = db.transaction((m: { messageId: string; roomId: string; userIds: readonly string[] }) => {
    for (const userId of new Set(m.userIds)) insertMention.run(userId, m.roomId, m.messageId);
  });

  return {
    addMentions: (m: { messageId: string; roomId: string; userIds: readonly string[] }): void => addTx(m),
    forgetMentions: (messageId: string): void => {
      deleteMentions.run(messageId);
    },
    setMarker(r: { roomId: string; userId: string; messageId: string; at: Date }): string {
      upsertMarker.run({ userId: r.userId, roomId: r.roomId, messageId: r.messageId, at: toMs(r.at) });
      return markerOf.get(r.userId, r.roomId)?.message_id ?? r.messageId;
    },
    states(userId: string, roomIds: readonly string[], cap: number): Map<string, RoomReadState> {
      const out = new Map<string, RoomReadState>();
      if (roomIds.length === 0) return out;
      const markers = new Map(markersOf.all(userId, JSON.stringify(roomIds)).map((r) => [r.room_id, r.message_id]));
      for (const roomId of roomIds) {
        const lastReadId = markers.get(roomId) ?? null;
        // '' sorts before every id: no marker means everything is unread.
        const params = { roomId, userId, after: lastReadId ?? '', cap };
        out.set(roomId, { lastReadId, unread: unreadOf.get(params)?.n ?? 0, mentions: mentionsOf.get(params)?.n ?? 0 });
      }
      return out;
    },
  };
}

interface RowWithId {
  id: string;
}

/** Full-text search in one room, newest first, paged by message id. */
export function createMessageSearch<Row extends RowWithId>(
  db: SqliteDb,
  fromRow: (r: Row) => MessageRecord,
): (roomId: string, query: string, opts: { before?: string; limit: number }) => Page<MessageRecord> {
  const page = pagedQuery<{ match: string }, Row, MessageRecord>(
    db,
    'm.id',
    (cursor) => `SELECT m.* FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid
      WHERE messages_fts MATCH @match AND m.deleted_at IS NULL ${cursor} ORDER BY m.id DESC LIMIT @limit`,
    fromRow,
  );
  return (roomId, query, opts) => {
    const match = ftsMatchExpression(roomId, query);
    if (match === null) return { items: [], nextCursor: null };
    return page({ match }, opts);
  };
}
