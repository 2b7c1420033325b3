import type { Statement } from 'better-sqlite3';
import type { MarketSaleTransfer } from '../../ledger/ports.js';
import { LedgerInvariantError } from '../../ledger/rules.js';
import type { SqliteDb } from './db.js';
import type { SqliteCompanion } from './entry-companions.js';

interface OwnerMove {
  purchase: string;
  seller: string;
  buyer: string;
}

/**
 * The purchase record's owner change of a sale, only while the seller holds it unrefunded and
 * unused. Prepared on first use: the purchases store creates its table.
 */
export function ownerMove(db: SqliteDb): () => Statement<OwnerMove> {
  let statement: Statement<OwnerMove> | undefined;
  return () =>
    (statement ??= db.prepare<OwnerMove>('UPDATE token_purchases SET user_id = @buyer WHERE id = @purchase AND user_id = @seller AND refunded_at IS NULL AND used_at IS NULL'));
}

interface ListingRow {
  status: string;
  seller_id: string;
  purchase_id: string;
  claim_buyer_id: string | null;
  claim_request_id: string | null;
}

/**
 * A market sale's companion write on SQLite (issue 13): in the ledger's posting transaction, the
 * listing must be open and claimed by this buyer's request and the seller must still hold the
 * purchase; then the purchase moves to the buyer and the listing closes as sold with the entry.
 * Statements are prepared on first use (the market and purchases stores create their tables).
 */
export function sqliteMarketSale(db: SqliteDb): SqliteCompanion<MarketSaleTransfer> {
  const move = ownerMove(db);
  let statements: { listing: Statement<[string], ListingRow>; held: Statement<[string, string], { id: string }>; close: Statement<Record<string, unknown>> } | undefined;
  const st = () =>
    (statements ??= {
      listing: db.prepare<[string], ListingRow>('SELECT status, seller_id, purchase_id, claim_buyer_id, claim_request_id FROM market_listings WHERE id = ?'),
      held: db.prepare<[string, string], { id: string }>('SELECT id FROM token_purchases WHERE id = ? AND user_id = ? AND refunded_at IS NULL AND used_at IS NULL'),
      close: db.prepare<Record<string, unknown>>(
        `UPDATE market_listings SET status = 'sold', buyer_id = @buyer, sale_entry_id = @entry, closed_at = @at,
           claim_buyer_id = NULL, claim_request_id = NULL, claim_until = NULL
         WHERE id = @id AND status = 'open' AND claim_buyer_id = @buyer AND claim_request_id = @request`,
      ),
    });

  return {
    refusal(t) {
      const row = st().listing.get(t.listingId);
      if (!row || row.status !== 'open') return 'listing_closed';
      if (row.seller_id !== t.sellerId || row.purchase_id !== t.purchaseId) throw new LedgerInvariantError(`sale of listing ${t.listingId} names another seller or purchase`, { transfer: t });
      if (row.claim_buyer_id !== t.buyerId || row.claim_request_id !== t.claimRequestId) return 'claim_lost';
      return st().held.get(t.purchaseId, t.sellerId) ? null : 'item_gone';
    },
    apply(t, entry) {
      if (move().run({ purchase: t.purchaseId, seller: t.sellerId, buyer: t.buyerId }).changes !== 1) {
        throw new LedgerInvariantError(`purchase ${t.purchaseId} did not move in its sale`, { transfer: t });
      }
      const closed = st().close.run({ id: t.listingId, buyer: t.buyerId, request: t.claimRequestId, entry: entry.id, at: entry.createdAt.getTime() });
      if (closed.changes !== 1) throw new LedgerInvariantError(`listing ${t.listingId} did not close in its sale`, { transfer: t });
    },
  };
}
