/**
 * The purchases port: one record per shop purchase (the seed's token_purchases table). Two
 * adapters (server/stores/sqlite/purchases-store.ts, server/stores/mongo/purchases-store.ts)
 * implement it with the same behaviour; test/contract/purchases.contract.test.ts runs one suite
 * on both.
 *
 * A purchase's id IS the id of the ledger `spend` entry that charged it, so the record can be
 * written (or rewritten after a crash) from the entry alone and never twice: `record` is
 * insert-or-return-existing on that id. Every later change (use, refund) is a compare-and-set
 * decided by the store, so two requests can never both use or both refund one purchase.
 */

export interface PurchaseRecord {
  /** = entryId. */
  id: string;
  userId: string;
  itemId: string;
  /** The shop category at purchase time (the seed's item_type). */
  category: string;
  /** Tokens charged. */
  cost: number;
  /** The ledger spend entry. */
  entryId: string;
  /** The room a per-room item was bought for; null otherwise. */
  roomId: string | null;
  /** The message a pin was bought for (in `roomId`); null for every other item. */
  messageId: string | null;
  createdAt: Date;
  /** null = permanent, or a consumable (which ends when used). */
  expiresAt: Date | null;
  /** When a consumable was used; null while unused (and for other items). */
  usedAt: Date | null;
  /** Set when a refund was started; with `refundEntryId` null it is not posted yet. */
  refundedAt: Date | null;
  refundAmount: number | null;
  /** The ledger refund entry, once posted. */
  refundEntryId: string | null;
}

export type NewPurchase = Omit<PurchaseRecord, 'usedAt' | 'refundedAt' | 'refundAmount' | 'refundEntryId'>;

/** Listing bound: the owned-items view reads at most this many purchases of one user. */
export const PURCHASES_LIST_MAX = 500;

/** Both adapters refuse a listing limit outside 1..PURCHASES_LIST_MAX the same way. */
export function checkPurchaseListLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > PURCHASES_LIST_MAX) throw new RangeError(`limit must be 1..${PURCHASES_LIST_MAX}`);
}

export interface PurchaseStore {
  /** Inserts the purchase; if one with this id exists it is returned unchanged with `created: false`. */
  record(p: NewPurchase): Promise<{ purchase: PurchaseRecord; created: boolean }>;
  findById(id: string): Promise<PurchaseRecord | null>;
  /** The user's purchases, newest first, at most `limit` (1..PURCHASES_LIST_MAX). */
  listByUser(userId: string, limit: number): Promise<PurchaseRecord[]>;
  /**
   * Purchases that may be in effect at `at`: not refunded, not used, and not expired
   * (`expiresAt` null or later than `at`). Bounded by PURCHASES_LIST_MAX.
   */
  listActive(userId: string, at: Date): Promise<PurchaseRecord[]>;
  /**
   * Active purchases (as `listActive`) of any user among `itemIds`, optionally only those of
   * `userIds` and/or bought for `roomId`; newest first, bounded by PURCHASES_LIST_MAX. Pins, boosts,
   * tier upgrades and priority support are read from here, so expiry and refunds end them at once.
   */
  listActiveOf(filter: { itemIds: readonly string[]; userIds?: readonly string[]; roomId?: string }, at: Date): Promise<PurchaseRecord[]>;
  /**
   * Marks the oldest unused, unrefunded purchase of one of `itemIds` used, atomically (only one
   * bought for `roomId`, when given); returns it, or null when the user holds none.
   */
  useOne(userId: string, itemIds: readonly string[], at: Date, roomId?: string): Promise<PurchaseRecord | null>;
  /**
   * Starts a refund: sets refundedAt/refundAmount only if no refund was started and, with
   * `requireUnused`, the purchase is not used. False when another request got there first.
   */
  beginRefund(id: string, r: { at: Date; amount: number; requireUnused: boolean }): Promise<boolean>;
  /** Records the posted refund entry. */
  completeRefund(id: string, refundEntryId: string): Promise<void>;
  /** Undoes a started refund whose ledger post failed (only while no refund entry is recorded). */
  abortRefund(id: string): Promise<void>;
}
