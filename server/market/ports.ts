import type { ListingStatus } from '../../shared/market.js';

/**
 * The listing store (issue 13, docs/market.md): one record per market listing. Two adapters
 * (server/stores/sqlite/market-store.ts, server/stores/mongo/market-store.ts) implement it with
 * the same behaviour; test/contract/market.contract.test.ts runs one suite on both.
 *
 * Every change is a compare-and-set decided by the store, so across nodes: a purchase has at most
 * one open listing, one buyer at a time holds a listing's claim, and a listing closes once.
 */
export interface ListingRecord {
  id: string;
  sellerId: string;
  /** The seller's requestId: a repeated create answers the first listing. */
  requestId: string;
  purchaseId: string;
  itemId: string;
  price: number;
  /** Stored status; an `open` listing past `expiresAt` is expired for every rule (see rules.ts). */
  status: ListingStatus;
  createdAt: Date;
  expiresAt: Date;
  closedAt: Date | null;
  buyerId: string | null;
  saleEntryId: string | null;
  /** A buyer's claim while their sale is posted; null when none. */
  claim: ListingClaim | null;
}

/** Who is buying the listing right now; a claim past `until` is stale and may be resolved. */
export interface ListingClaim {
  buyerId: string;
  requestId: string;
  until: Date;
}

export type NewListing = Omit<ListingRecord, 'status' | 'closedAt' | 'buyerId' | 'saleEntryId' | 'claim'>;

export type CreateListingResult =
  | { status: 'created'; listing: ListingRecord }
  /** The seller's requestId was used before: that listing. */
  | { status: 'duplicate'; listing: ListingRecord }
  /** The purchase already has an open, unexpired listing. */
  | { status: 'already_listed'; listing: ListingRecord };

export interface ListingQuery {
  itemId?: string;
  /** price: cheapest first (ties oldest first); time: newest first. */
  sort: 'price' | 'time';
  /** The last listing of the previous page (its id and price). */
  after?: { id: string; price: number };
  limit: number;
}

/** Bound on the ids one `openPurchaseIds` call takes (a user's purchases list is bounded the same). */
export const LISTING_IDS_MAX = 500;

export interface MarketStore {
  /**
   * Inserts an open listing, unless the seller's requestId was used (duplicate) or the purchase
   * has an open listing not yet expired at `at` (already_listed). An open listing of the purchase
   * that expired by `at` is closed as expired first.
   */
  create(l: NewListing, at: Date): Promise<CreateListingResult>;
  findById(id: string): Promise<ListingRecord | null>;
  /** Open listings not expired at `at`, filtered and sorted as asked; at most limit + 1 rows (page.ts). */
  listOpen(query: ListingQuery, at: Date): Promise<ListingRecord[]>;
  /** Among `purchaseIds` (at most LISTING_IDS_MAX), those with an open listing not expired at `at`. */
  openPurchaseIds(purchaseIds: readonly string[], at: Date): Promise<Set<string>>;
  /** Whether the purchase was ever sold on the market. */
  everSold(purchaseId: string): Promise<boolean>;
  /**
   * Takes the buyer's claim: only on an open listing not expired at `at` whose claim is absent or
   * stale (`until` <= at). Null when another buyer holds a live claim or the listing is closed.
   */
  claim(id: string, claim: ListingClaim, at: Date): Promise<ListingRecord | null>;
  /** Drops the claim if it is still this request's (its sale was refused). */
  release(id: string, requestId: string): Promise<void>;
  /**
   * Completes a sale whose entry was posted WITHOUT its companion write (a version before the item
   * move joined the ledger's posting transaction; a sale now closes its listing in the entry's own
   * transaction, EntryDraft.transfer). In ONE transaction: the listing becomes sold to `buyerId`
   * with `saleEntryId`, and the purchase record's owner moves from the seller to the buyer.
   * Idempotent: a listing already sold with this entry is returned as it is. Null when the listing
   * is closed otherwise or the seller no longer owns the purchase (nothing is written then).
   */
  settle(id: string, sale: { buyerId: string; saleEntryId: string; at: Date }): Promise<ListingRecord | null>;
  /** Closes an open listing as cancelled unless a live claim holds it; null when it was not open. */
  cancel(id: string, at: Date): Promise<ListingRecord | null>;
  /** Closes up to `limit` open listings expired by `at` whose claim is absent or stale; returns them. */
  expireDue(at: Date, limit: number): Promise<ListingRecord[]>;
  /** Open listings whose claim went stale by `at` (a sale crashed half-way), at most `limit`. */
  staleClaims(at: Date, limit: number): Promise<ListingRecord[]>;
  /** Sold listings of the item, newest sale first, at most `limit`. */
  sales(itemId: string, limit: number): Promise<ListingRecord[]>;
}
