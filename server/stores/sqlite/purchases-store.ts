import type { NewPurchase, PurchaseRecord, PurchaseStore } from '../../shop/ports.js';
import { PURCHASES_LIST_MAX, checkPurchaseListLimit } from '../../shop/ports.js';
import type { SqliteDb } from './db.js';
import { fromMs, fromMsOrNull, idList, toMs, toMsOrNull } from './columns.js';

const DDL = `
CREATE TABLE IF NOT EXISTS token_purchases (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  item_type TEXT NOT NULL,
  cost INTEGER NOT NULL CHECK (cost > 0),
  entry_id TEXT NOT NULL UNIQUE,
  room_id TEXT,
  message_id TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  used_at INTEGER,
  refunded_at INTEGER,
  refund_amount INTEGER,
  refund_entry_id TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS token_purchases_user ON token_purchases (user_id, id);
`;
/** Up to this many users, listActiveOf reads each user through the user index. */
const FEW_USERS = 4;

// Effects read across users (pins, boosts, priority support) by item and end.
const INDEXES = 'CREATE INDEX IF NOT EXISTS token_purchases_item ON token_purchases (item_id, expires_at);';

interface Row {
  id: string;
  user_id: string;
  item_id: string;
  item_type: string;
  cost: number;
  entry_id: string;
  room_id: string | null;
  message_id: string | null;
  created_at: number;
  expires_at: number | null;
  used_at: number | null;
  refunded_at: number | null;
  refund_amount: number | null;
  refund_entry_id: string | null;
}

const fromRow = (r: Row): PurchaseRecord => ({
  id: r.id,
  userId: r.user_id,
  itemId: r.item_id,
  category: r.item_type,
  cost: r.cost,
  entryId: r.entry_id,
  roomId: r.room_id,
  messageId: r.message_id,
  createdAt: fromMs(r.created_at),
  expiresAt: fromMsOrNull(r.expires_at),
  usedAt: fromMsOrNull(r.used_at),
  refundedAt: fromMsOrNull(r.refunded_at),
  refundAmount: r.refund_amount,
  refundEntryId: r.refund_entry_id,
});

/** Purchases over SQLite (the seed's token_purchases table); every change is a conditional UPDATE. */
export function createSqlitePurchaseStore(db: SqliteDb): PurchaseStore {
  db.exec(DDL);
  // Databases made before pins carried a message.
  const columns = db.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'token_purchases\')').all();
  if (!columns.some((c) => c.name === 'message_id')) db.exec('ALTER TABLE token_purchases ADD COLUMN message_id TEXT');
  db.exec(INDEXES);
  const insert = db.prepare(
    `INSERT INTO token_purchases (id, user_id, item_id, item_type, cost, entry_id, room_id, message_id, created_at, expires_at)
     VALUES (@id, @userId, @itemId, @category, @cost, @entryId, @roomId, @messageId, @createdAt, @expiresAt) ON CONFLICT DO NOTHING`,
  );
  const activeOf = db.prepare<[{ items: string; users: string | null; room: string | null; at: number; limit: number }], Row>(
    `SELECT * FROM token_purchases WHERE item_id IN (SELECT value FROM json_each(@items))
       AND (@users IS NULL OR user_id IN (SELECT value FROM json_each(@users))) AND (@room IS NULL OR room_id = @room)
       AND refunded_at IS NULL AND used_at IS NULL AND (expires_at IS NULL OR expires_at > @at) ORDER BY id DESC LIMIT @limit`,
  );
  // One user's (the common case: an author's tier steps, a streak freeze, priority support): the
  // user index serves the filter and the order, with no temporary sort (cheaper in a micro-benchmark;
  // within noise in the simulation).
  const activeOfUser = db.prepare<[{ items: string; user: string; room: string | null; at: number; limit: number }], Row>(
    `SELECT * FROM token_purchases WHERE user_id = @user AND item_id IN (SELECT value FROM json_each(@items))
       AND (@room IS NULL OR room_id = @room)
       AND refunded_at IS NULL AND used_at IS NULL AND (expires_at IS NULL OR expires_at > @at) ORDER BY id DESC LIMIT @limit`,
  );
  // Two users (a gift's sender and recipient, issue 16): the same read in one statement, the user
  // index probed once per user (pinned: with the item list opaque the planner might take the item
  // index and scan every user's purchases of the item); half the cost of two one-user reads here.
  const activeOfTwo = db.prepare<[{ items: string; u0: string; u1: string; room: string | null; at: number; limit: number }], Row>(
    `SELECT * FROM token_purchases INDEXED BY token_purchases_user WHERE user_id IN (@u0, @u1) AND item_id IN (SELECT value FROM json_each(@items))
       AND (@room IS NULL OR room_id = @room)
       AND refunded_at IS NULL AND used_at IS NULL AND (expires_at IS NULL OR expires_at > @at) ORDER BY id DESC LIMIT @limit`,
  );
  const byId = db.prepare<[string], Row>('SELECT * FROM token_purchases WHERE id = ?');
  const byUser = db.prepare<[string, number], Row>('SELECT * FROM token_purchases WHERE user_id = ? ORDER BY id DESC LIMIT ?');
  const active = db.prepare<[string, number, number], Row>(
    `SELECT * FROM token_purchases WHERE user_id = ? AND refunded_at IS NULL AND used_at IS NULL
       AND (expires_at IS NULL OR expires_at > ?) ORDER BY id DESC LIMIT ?`,
  );
  const oldestUnused = db.prepare<[{ user: string; items: string; room: string | null }], Row>(
    `SELECT * FROM token_purchases WHERE user_id = @user AND item_id IN (SELECT value FROM json_each(@items))
       AND (@room IS NULL OR room_id = @room) AND used_at IS NULL AND refunded_at IS NULL ORDER BY id LIMIT 1`,
  );
  const markUsed = db.prepare<[number, string]>('UPDATE token_purchases SET used_at = ? WHERE id = ? AND used_at IS NULL AND refunded_at IS NULL');
  const begin = db.prepare<[number, number, string, number]>(
    `UPDATE token_purchases SET refunded_at = ?, refund_amount = ?
     WHERE id = ? AND refunded_at IS NULL AND (? = 0 OR used_at IS NULL)`,
  );
  const complete = db.prepare<[string, string]>('UPDATE token_purchases SET refund_entry_id = ? WHERE id = ? AND refunded_at IS NOT NULL');
  const abort = db.prepare<[string]>(
    'UPDATE token_purchases SET refunded_at = NULL, refund_amount = NULL WHERE id = ? AND refund_entry_id IS NULL',
  );

  const recordOnce = db.transaction((p: NewPurchase) => {
    const created = insert.run({ ...p, createdAt: toMs(p.createdAt), expiresAt: toMsOrNull(p.expiresAt) }).changes === 1;
    const row = byId.get(p.id);
    if (!row) throw new Error(`purchase ${p.id} not readable after insert`);
    return { purchase: fromRow(row), created };
  });
  const useOldest = db.transaction((userId: string, itemIds: readonly string[], at: Date, roomId: string | null) => {
    const row = oldestUnused.get({ user: userId, items: idList(itemIds), room: roomId });
    if (!row || markUsed.run(toMs(at), row.id).changes !== 1) return null;
    return fromRow({ ...row, used_at: toMs(at) });
  });

  return {
    async record(p) {
      return recordOnce(p);
    },
    async findById(id) {
      const row = byId.get(id);
      return row ? fromRow(row) : null;
    },
    async listByUser(userId, limit) {
      checkPurchaseListLimit(limit);
      return byUser.all(userId, limit).map(fromRow);
    },
    async listActive(userId, at) {
      return active.all(userId, toMs(at), PURCHASES_LIST_MAX).map(fromRow);
    },
    async listActiveOf(filter, at) {
      if (filter.itemIds.length === 0 || filter.userIds?.length === 0) return [];
      const common = { items: idList(filter.itemIds), room: filter.roomId ?? null, at: toMs(at), limit: PURCHASES_LIST_MAX };
      const only = filter.userIds?.length === 1 ? filter.userIds[0] : undefined;
      if (only !== undefined) return activeOfUser.all({ ...common, user: only }).map(fromRow);
      const users = filter.userIds ? [...new Set(filter.userIds)] : undefined;
      // A gift's sender and recipient (issue 16): one statement, newest first like the others.
      if (users?.length === 2) return activeOfTwo.all({ ...common, u0: users[0]!, u1: users[1]! }).map(fromRow);
      // A few users: the one-user read per user, merged newest first, costs less than the
      // json_each user list's scan; same rows.
      if (users && users.length <= FEW_USERS) {
        const rows = users.flatMap((user) => activeOfUser.all({ ...common, user }));
        return rows.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, PURCHASES_LIST_MAX).map(fromRow);
      }
      return activeOf.all({ ...common, users: filter.userIds ? idList(filter.userIds) : null }).map(fromRow);
    },
    async useOne(userId, itemIds, at, roomId) {
      if (itemIds.length === 0) return null;
      return useOldest(userId, itemIds, at, roomId ?? null);
    },
    async beginRefund(id, r) {
      return begin.run(toMs(r.at), r.amount, id, r.requireUnused ? 1 : 0).changes === 1;
    },
    async completeRefund(id, refundEntryId) {
      complete.run(refundEntryId, id);
    },
    async abortRefund(id) {
      abort.run(id);
    },
  };
}
