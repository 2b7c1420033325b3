import type { MessageKind, MessageRecord, MessageStore, ReactionCounts } from '../ports.js';
import type { SqliteDb } from './db.js';
import { fromMs, idList, pagedQuery, toMs } from './columns.js';

const DDL = `
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  room_id TEXT NOT NULL,
  author_id TEXT NOT NULL,
  client_message_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('text', 'file')),
  body TEXT NOT NULL,
  file_id TEXT,
  created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS messages_author_client_id ON messages (author_id, client_message_id);
CREATE INDEX IF NOT EXISTS messages_room ON messages (room_id, id);
CREATE TABLE IF NOT EXISTS message_reactions (
  message_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  emoji TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (message_id, user_id, emoji)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS message_helpful_votes (
  message_id TEXT NOT NULL,
  voter_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (message_id, voter_id)
) STRICT, WITHOUT ROWID;
`;

interface MessageRow {
  id: string;
  room_id: string;
  author_id: string;
  client_message_id: string;
  kind: MessageKind;
  body: string;
  file_id: string | null;
  created_at: number;
}

const fromRow = (r: MessageRow): MessageRecord => ({
  id: r.id,
  roomId: r.room_id,
  authorId: r.author_id,
  clientMessageId: r.client_message_id,
  kind: r.kind,
  body: r.body,
  fileId: r.file_id,
  createdAt: fromMs(r.created_at),
});

/** Messages, reactions and helpful votes over SQLite. */
export function createSqliteMessageStore(db: SqliteDb): MessageStore {
  db.exec(DDL);
  // A retry with the same (author, clientMessageId) is the expected duplicate; a clashing id throws.
  const insert = db.prepare(
    `INSERT INTO messages (id, room_id, author_id, client_message_id, kind, body, file_id, created_at)
     VALUES (@id, @roomId, @authorId, @clientMessageId, @kind, @body, @fileId, @createdAt)
     ON CONFLICT (author_id, client_message_id) DO NOTHING`,
  );
  const byId = db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE id = ?');
  const byClientId = db.prepare<[string, string], MessageRow>('SELECT * FROM messages WHERE author_id = ? AND client_message_id = ?');
  const roomPage = pagedQuery<{ roomId: string }, MessageRow, MessageRecord>(
    db,
    'id',
    (cursor) => `SELECT * FROM messages WHERE room_id = @roomId ${cursor} ORDER BY id DESC LIMIT @limit`,
    fromRow,
  );
  const countAuthor = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM messages WHERE author_id = ?');
  const insertReaction = db.prepare<[string, string, string, number]>(
    'INSERT INTO message_reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const deleteReaction = db.prepare<[string, string, string]>('DELETE FROM message_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?');
  const countsOf = db.prepare<[string], { message_id: string; emoji: string; n: number }>(
    `SELECT message_id, emoji, COUNT(*) AS n FROM message_reactions
     WHERE message_id IN (SELECT value FROM json_each(?)) GROUP BY message_id, emoji`,
  );
  // The author's own reactions do not make a message popular (popular_message pays the author).
  const reactorsOf = db.prepare<[string], { n: number }>(
    `SELECT COUNT(DISTINCT r.user_id) AS n FROM message_reactions r
     WHERE r.message_id = ? AND r.user_id NOT IN (SELECT author_id FROM messages WHERE id = r.message_id)`,
  );
  const reactorIdsOf = db.prepare<[string, number], { user_id: string }>(
    `SELECT r.user_id FROM message_reactions r
     WHERE r.message_id = ? AND r.user_id NOT IN (SELECT author_id FROM messages WHERE id = r.message_id)
     GROUP BY r.user_id ORDER BY MIN(r.created_at), r.user_id LIMIT ?`,
  );
  const insertVote = db.prepare<[string, string, number]>(
    'INSERT INTO message_helpful_votes (message_id, voter_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );

  const countsByMessage = (messageIds: readonly string[]): Record<string, ReactionCounts> => {
    const out: Record<string, ReactionCounts> = {};
    for (const id of messageIds) out[id] = {};
    for (const row of countsOf.all(idList(messageIds))) (out[row.message_id] ??= {})[row.emoji] = row.n;
    return out;
  };
  // Write and read back in one transaction so the counts returned are exactly those after this change.
  const reactTx = db.transaction((r: { messageId: string; userId: string; emoji: string; on: boolean; at: Date }) => {
    if (r.on) insertReaction.run(r.messageId, r.userId, r.emoji, toMs(r.at));
    else deleteReaction.run(r.messageId, r.userId, r.emoji);
    return {
      counts: countsByMessage([r.messageId])[r.messageId] ?? {},
      distinctReactors: reactorsOf.get(r.messageId)?.n ?? 0,
    };
  });

  return {
    async create(message) {
      const result = insert.run({ ...message, createdAt: toMs(message.createdAt) });
      if (result.changes === 1) return { message: { ...message }, created: true };
      const first = byClientId.get(message.authorId, message.clientMessageId);
      if (!first) throw new Error(`message ${message.authorId}/${message.clientMessageId} conflicted but cannot be read`);
      return { message: fromRow(first), created: false };
    },
    async findById(id) {
      const row = byId.get(id);
      return row ? fromRow(row) : null;
    },
    async listByRoom(roomId, opts) {
      return roomPage({ roomId }, opts);
    },
    async setReaction(r) {
      return reactTx(r);
    },
    async reactionCounts(messageIds) {
      if (messageIds.length === 0) return {};
      return countsByMessage(messageIds);
    },
    async countByAuthor(authorId) {
      return countAuthor.get(authorId)?.n ?? 0;
    },
    async addHelpfulVote(v) {
      return insertVote.run(v.messageId, v.voterId, toMs(v.at)).changes === 1;
    },
    async reactorIds(messageId, limit) {
      return reactorIdsOf.all(messageId, limit).map((r) => r.user_id);
    },
  };
}
