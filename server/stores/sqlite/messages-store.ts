import type { MessageKind, MessageRecord, MessageStore, ReactionCounts } from '../ports.js';
import type { SqliteDb } from './db.js';
import { checkPageLimit } from '../page.js';
import { fromMs, fromMsOrNull, idList, pagedQuery, toMs, toMsOrNull } from './columns.js';
import { applyChatEssentialsSchema, createMessageReads, createMessageSearch } from './message-essentials.js';

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
  reply_to: string | null;
  edited_at: number | null;
  deleted_at: number | null;
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
  replyTo: r.reply_to,
  editedAt: fromMsOrNull(r.edited_at),
  deletedAt: fromMsOrNull(r.deleted_at),
});

/** Messages, reactions and helpful votes over SQLite. */
export function createSqliteMessageStore(db: SqliteDb): MessageStore {
  db.exec(DDL);
  applyChatEssentialsSchema(db);
  // A retry with the same (author, clientMessageId) is the expected duplicate; a clashing id throws.
  const insert = db.prepare(
    `INSERT INTO messages (id, room_id, author_id, client_message_id, kind, body, file_id, created_at, reply_to)
     VALUES (@id, @roomId, @authorId, @clientMessageId, @kind, @body, @fileId, @createdAt, @replyTo)
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

  const editStmt = db.prepare<{ id: string; body: string; at: number }>(
    'UPDATE messages SET body = @body, edited_at = @at, changed_at = @at WHERE id = @id AND deleted_at IS NULL',
  );
  const deleteStmt = db.prepare<{ id: string; at: number }>(
    "UPDATE messages SET body = '', deleted_at = @at, changed_at = @at WHERE id = @id AND deleted_at IS NULL",
  );
  const afterStmt = db.prepare<{ roomId: string; after: string; limit: number }, MessageRow>(
    'SELECT * FROM messages WHERE room_id = @roomId AND id > @after ORDER BY id ASC LIMIT @limit',
  );
  const changedStmt = db.prepare<{ roomId: string; since: number; upTo: string; limit: number }, MessageRow>(
    `SELECT * FROM messages WHERE room_id = @roomId AND changed_at >= @since AND id <= @upTo
     ORDER BY changed_at ASC, id ASC LIMIT @limit`,
  );
  const reads = createMessageReads(db);
  const search = createMessageSearch(db, fromRow);
  // Tombstone and forget the mentions together, so a deleted message never counts as a mention.
  const deleteTx = db.transaction((d: { messageId: string; at: Date }) => {
    const changed = deleteStmt.run({ id: d.messageId, at: toMs(d.at) }).changes === 1;
    if (changed) reads.forgetMentions(d.messageId);
    const row = byId.get(d.messageId);
    return row ? { message: fromRow(row), changed } : null;
  });

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
      const result = insert.run({ ...message, createdAt: toMs(message.createdAt), replyTo: message.replyTo ?? null });
      if (result.changes === 1) return { message: { ...message, replyTo: message.replyTo ?? null, editedAt: null, deletedAt: null }, created: true };
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
    async edit(e) {
      if (editStmt.run({ id: e.messageId, body: e.body, at: toMs(e.at) }).changes !== 1) return null;
      const row = byId.get(e.messageId);
      return row ? fromRow(row) : null;
    },
    async markDeleted(d) {
      return deleteTx(d);
    },
    async listAfter(roomId, opts) {
      checkPageLimit(opts.limit);
      const rows = afterStmt.all({ roomId, after: opts.after, limit: opts.limit + 1 });
      return { items: rows.slice(0, opts.limit).map(fromRow), more: rows.length > opts.limit };
    },
    async listChangedSince(roomId, opts) {
      checkPageLimit(opts.limit);
      return changedStmt.all({ roomId, since: toMs(opts.since), upTo: opts.upTo, limit: opts.limit }).map(fromRow);
    },
    async search(roomId, query, opts) {
      return search(roomId, query, opts);
    },
    async addMentions(m) {
      reads.addMentions(m);
    },
    async setReadMarker(r) {
      return reads.setMarker(r);
    },
    async readStates(userId, roomIds, countMax) {
      return reads.states(userId, roomIds, countMax);
    },
    async reactorIds(messageId, limit) {
      return reactorIdsOf.all(messageId, limit).map((r) => r.user_id);
    },
  };
}
