import type { Statement } from 'better-sqlite3';
import type { ListingStatus } from '../../../shared/market.js';
import type { CreateListingResult, ListingRecord, MarketStore, NewListing } from '../../market/ports.js';
import { LISTING_IDS_MAX } from '../../market/ports.js';
import { checkPageLimit } from '../page.js';
import type { SqliteDb } from './db.js';
import { fromMs, fromMsOrNull, idList, toMs } from './columns.js';
import { ownerMove } from './market-sale.js';

const DDL = `
CREATE TABLE IF NOT EXISTS market_listings (
  id TEXT PRIMARY KEY,
  seller_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  purchase_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  price INTEGER NOT NULL CHECK (price > 0),
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  closed_at INTEGER,
  buyer_id TEXT,
  sale_entry_id TEXT,
  claim_buyer_id TEXT,
  claim_request_id TEXT,
  claim_until INTEGER
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS market_listings_request ON market_listings (seller_id, request_id);
-- At most one open listing per purchase: "listed twice" is refused by the database itself.
CREATE UNIQUE INDEX IF NOT EXISTS market_listings_open_purchase ON market_listings (purchase_id) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS market_listings_open_price ON market_listings (status, item_id, price, id);
CREATE INDEX IF NOT EXISTS market_listings_open_expiry ON market_listings (status, expires_at);
CREATE INDEX IF NOT EXISTS market_listings_sales ON market_listings (item_id, status, closed_at);
`;

interface Row {
  id: string;
  seller_id: string;
  request_id: string;
  purchase_id: string;
  item_id: string;
  price: number;
  status: ListingStatus;
  created_at: number;
  expires_at: number;
  closed_at: number | null;
  buyer_id: string | null;
  sale_entry_id: string | null;
  claim_buyer_id: string | null;
  claim_request_id: string | null;
  claim_until: number | null;
}

const fromRow = (r: Row): ListingRecord => ({
  id: r.id,
  sellerId: r.seller_id,
  requestId: r.request_id,
  purchaseId: r.purchase_id,
  itemId: r.item_id,
  price: r.price,
  status: r.status,
  createdAt: fromMs(r.created_at),
  expiresAt: fromMs(r.expires_at),
  closedAt: fromMsOrNull(r.closed_at),
  buyerId: r.buyer_id,
  saleEntryId: r.sale_entry_id,
  claim: r.claim_buyer_id !== null && r.claim_request_id !== null && r.claim_until !== null ? { buyerId: r.claim_buyer_id, requestId: r.claim_request_id, until: fromMs(r.claim_until) } : null,
});

/** A claim that no longer holds the listing: none, or past its `until`. */
const NO_LIVE_CLAIM = '(claim_until IS NULL OR claim_until <= @at)';

/**
 * Listings over SQLite. Every change is one conditional UPDATE (or a short transaction), so two
 * nodes over one database file decide each race the same way. A sale is not written here: its
 * item move and listing close run in the ledger's posting transaction (./market-sale.ts); `settle`
 * only completes an entry the earlier version posted without them.
 */
export function createSqliteMarketStore(db: SqliteDb): MarketStore {
  db.exec(DDL);
  const insert = db.prepare(
    `INSERT INTO market_listings (id, seller_id, request_id, purchase_id, item_id, price, status, created_at, expires_at)
     VALUES (@id, @sellerId, @requestId, @purchaseId, @itemId, @price, 'open', @createdAt, @expiresAt)`,
  );
  const byId = db.prepare<[string], Row>('SELECT * FROM market_listings WHERE id = ?');
  const byRequest = db.prepare<[string, string], Row>('SELECT * FROM market_listings WHERE seller_id = ? AND request_id = ?');
  const openOf = db.prepare<[string], Row>("SELECT * FROM market_listings WHERE purchase_id = ? AND status = 'open'");
  const expireOne = db.prepare<{ id: string; at: number }>(
    `UPDATE market_listings SET status = 'expired', closed_at = @at, claim_buyer_id = NULL, claim_request_id = NULL, claim_until = NULL
     WHERE id = @id AND status = 'open' AND expires_at <= @at AND ${NO_LIVE_CLAIM}`,
  );
  const openIds = db.prepare<[string, number], { purchase_id: string }>(
    "SELECT purchase_id FROM market_listings WHERE purchase_id IN (SELECT value FROM json_each(?)) AND status = 'open' AND expires_at > ?",
  );
  const sold = db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM market_listings WHERE purchase_id = ? AND status = 'sold'");
  const claimOne = db.prepare<{ id: string; at: number; buyer: string; request: string; until: number }>(
    `UPDATE market_listings SET claim_buyer_id = @buyer, claim_request_id = @request, claim_until = @until
     WHERE id = @id AND status = 'open' AND expires_at > @at AND ${NO_LIVE_CLAIM}`,
  );
  const releaseOne = db.prepare<[string, string]>(
    "UPDATE market_listings SET claim_buyer_id = NULL, claim_request_id = NULL, claim_until = NULL WHERE id = ? AND status = 'open' AND claim_request_id = ?",
  );
  const sellOne = db.prepare<{ id: string; buyer: string; entry: string; at: number }>(
    `UPDATE market_listings SET status = 'sold', buyer_id = @buyer, sale_entry_id = @entry, closed_at = @at,
       claim_buyer_id = NULL, claim_request_id = NULL, claim_until = NULL
     WHERE id = @id AND status = 'open'`,
  );
  const moveOwner = ownerMove(db);
  const cancelOne = db.prepare<{ id: string; at: number }>(
    `UPDATE market_listings SET status = 'cancelled', closed_at = @at, claim_buyer_id = NULL, claim_request_id = NULL, claim_until = NULL
     WHERE id = @id AND status = 'open' AND ${NO_LIVE_CLAIM}`,
  );
  const due = db.prepare<{ at: number; limit: number }, Row>(
    `SELECT * FROM market_listings WHERE status = 'open' AND expires_at <= @at AND ${NO_LIVE_CLAIM} ORDER BY expires_at LIMIT @limit`,
  );
  const stale = db.prepare<{ at: number; limit: number }, Row>(
    "SELECT * FROM market_listings WHERE status = 'open' AND claim_until IS NOT NULL AND claim_until <= @at ORDER BY claim_until LIMIT @limit",
  );
  const salesOf = db.prepare<[string, number], Row>("SELECT * FROM market_listings WHERE item_id = ? AND status = 'sold' ORDER BY closed_at DESC, id DESC LIMIT ?");

  const createOnce = db.transaction((l: NewListing, at: number): CreateListingResult => {
    const earlier = byRequest.get(l.sellerId, l.requestId);
    if (earlier) return { status: 'duplicate', listing: fromRow(earlier) };
    const open = openOf.get(l.purchaseId);
    if (open) {
      // An expired listing gives the item back: close it, then list anew. A live one stands.
      if (expireOne.run({ id: open.id, at }).changes !== 1) return { status: 'already_listed', listing: fromRow(open) };
    }
    insert.run({ ...l, createdAt: toMs(l.createdAt), expiresAt: toMs(l.expiresAt) });
    return { status: 'created', listing: fromRow(byId.get(l.id)!) };
  });
  const settleOnce = db.transaction((id: string, buyerId: string, entryId: string, at: number): ListingRecord | null => {
    const row = byId.get(id);
    if (!row) return null;
    if (row.status === 'sold') return row.sale_entry_id === entryId ? fromRow(row) : null;
    if (row.status !== 'open') return null;
    if (moveOwner().run({ purchase: row.purchase_id, seller: row.seller_id, buyer: buyerId }).changes !== 1) return null;
    if (sellOne.run({ id, buyer: buyerId, entry: entryId, at }).changes !== 1) throw new Error(`listing ${id} changed inside its sale`);
    return fromRow(byId.get(id)!);
  });
  const expireMany = db.transaction((at: number, limit: number): ListingRecord[] => {
    const out: ListingRecord[] = [];
    for (const row of due.all({ at, limit })) {
      if (expireOne.run({ id: row.id, at }).changes === 1) out.push(fromRow(byId.get(row.id)!));
    }
    return out;
  });

  /** Open listings, unexpired, in the page order: the cursor clause keeps an index range. */
  const listQuery = (sort: 'price' | 'time', byItem: boolean, after: boolean) =>
    db.prepare<Record<string, unknown>, Row>(
      `SELECT * FROM market_listings WHERE status = 'open' AND expires_at > @at ${byItem ? 'AND item_id = @item' : ''}
       ${after ? (sort === 'price' ? 'AND (price > @price OR (price = @price AND id > @after))' : 'AND id < @after') : ''}
       ORDER BY ${sort === 'price' ? 'price ASC, id ASC' : 'id DESC'} LIMIT @limit`,
    );
  const lists = new Map<string, ReturnType<typeof listQuery>>();
  const listStatement = (sort: 'price' | 'time', byItem: boolean, after: boolean) => {
    const key = `${sort}:${byItem}:${after}`;
    let st = lists.get(key);
    if (!st) {
      st = listQuery(sort, byItem, after);
      lists.set(key, st);
    }
    return st;
  };

  return {
    async create(l, at) {
      return createOnce.immediate(l, toMs(at));
    },
    async findById(id) {
      const row = byId.get(id);
      return row ? fromRow(row) : null;
    },
    async listOpen(q, at) {
      checkPageLimit(q.limit);
      const params: Record<string, unknown> = { at: toMs(at), limit: q.limit + 1 };
      if (q.itemId !== undefined) params['item'] = q.itemId;
      if (q.after) Object.assign(params, { after: q.after.id, price: q.after.price });
      return listStatement(q.sort, q.itemId !== undefined, q.after !== undefined).all(params).map(fromRow);
    },
    async openPurchaseIds(purchaseIds, at) {
      if (purchaseIds.length === 0) return new Set();
      if (purchaseIds.length > LISTING_IDS_MAX) throw new RangeError(`at most ${LISTING_IDS_MAX} purchase ids`);
      return new Set(openIds.all(idList(purchaseIds), toMs(at)).map((r) => r.purchase_id));
    },
    async everSold(purchaseId) {
      return (sold.get(purchaseId)?.n ?? 0) > 0;
    },
    async claim(id, c, at) {
      if (claimOne.run({ id, at: toMs(at), buyer: c.buyerId, request: c.requestId, until: toMs(c.until) }).changes !== 1) return null;
      return fromRow(byId.get(id)!);
    },
    async release(id, requestId) {
      releaseOne.run(id, requestId);
    },
    async settle(id, sale) {
      return settleOnce.immediate(id, sale.buyerId, sale.saleEntryId, toMs(sale.at));
    },
    async cancel(id, at) {
      if (cancelOne.run({ id, at: toMs(at) }).changes !== 1) return null;
      return fromRow(byId.get(id)!);
    },
    async expireDue(at, limit) {
      checkPageLimit(limit);
      return expireMany.immediate(toMs(at), limit);
    },
    async staleClaims(at, limit) {
      checkPageLimit(limit);
      return stale.all({ at: toMs(at), limit }).map(fromRow);
    },
    async sales(itemId, limit) {
      checkPageLimit(limit);
      return salesOf.all(itemId, limit).map(fromRow);
    },
  };
}
