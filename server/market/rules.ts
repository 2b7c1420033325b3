import type { ListingStatus } from '../../shared/market.js';
import type { MarketPolicy, ShopItem } from '../economy/config/schema.js';
import { linkedAccounts, type PeerAccount } from '../economy/rules/peers.js';
import { tradeEntry, type DraftInput } from '../ledger/entries.js';
import type { JournalEntry, CounterClaim } from '../ledger/ports.js';
import { effectOf } from '../shop/effects.js';
import type { PurchaseRecord } from '../shop/ports.js';
import type { ListingRecord } from './ports.js';

/**
 * The market's pure rules (issue 13, docs/market.md): what may be traded, at what price, for what
 * fee, between whom, and how a sale is written to and read back from the ledger. No I/O.
 */

/** How long a buyer's claim holds a listing while their sale is posted; past it the claim is stale. */
export const CLAIM_TTL_MS = 60_000;

export type Transferability = { transferable: true } | { transferable: false; reason: 'not_tradeable' | 'timed' | 'consumable' | 'refunded' | 'used' | 'expired' | 'room_bound' };

/**
 * Whether a purchase may be listed: a permanent cosmetic or a limited edition (a shop item with
 * `stock` set), still in use (not refunded, used or expired), not bound to a room or message.
 * `item` is the current catalogue entry, an admin's runtime item included (undefined once removed
 * from the catalogue: then the id's built-in effect decides). `stock` is read defensively: the
 * limited-edition fields arrive with issue 13's shop part.
 */
export function isTransferable(item: Pick<ShopItem, 'id' | 'duration' | 'effect'> | undefined, p: Pick<PurchaseRecord, 'itemId' | 'roomId' | 'messageId' | 'expiresAt' | 'usedAt' | 'refundedAt'>, at: Date): Transferability {
  if (p.refundedAt) return { transferable: false, reason: 'refunded' };
  if (p.usedAt) return { transferable: false, reason: 'used' };
  if (p.expiresAt && p.expiresAt.getTime() <= at.getTime()) return { transferable: false, reason: 'expired' };
  if (p.expiresAt || item?.duration.kind === 'timed') return { transferable: false, reason: 'timed' };
  if (item?.duration.kind === 'consumable') return { transferable: false, reason: 'consumable' };
  if (p.roomId !== null || p.messageId !== null) return { transferable: false, reason: 'room_bound' };
  const stock: unknown = item ? (item as { stock?: unknown }).stock : undefined;
  const limitedEdition = typeof stock === 'number';
  if (effectOf(item ?? { id: p.itemId })?.kind !== 'cosmetic' && !limitedEdition) return { transferable: false, reason: 'not_tradeable' };
  return { transferable: true };
}

/** The listing's status at `at`: an open listing past its expiry is expired (lazily, before any sweep). */
export function listingStatusAt(l: Pick<ListingRecord, 'status' | 'expiresAt'>, at: Date): ListingStatus {
  return l.status === 'open' && l.expiresAt.getTime() <= at.getTime() ? 'expired' : l.status;
}

/** Whether another buyer's claim holds the listing at `at`. */
export function claimLive(l: Pick<ListingRecord, 'claim'>, at: Date): boolean {
  return l.claim !== null && l.claim.until.getTime() > at.getTime();
}

/** The sink's share of a sale: `feePercent` of the price, rounded down (the seller keeps the rest). */
export function saleFee(price: number, feePercent: number): number {
  return Math.floor((price * feePercent) / 100);
}

/** The price range the market allows for the item. */
export function priceBoundsOf(policy: MarketPolicy, itemId: string): { min: number; max: number } {
  return policy.priceBounds.items[itemId] ?? policy.priceBounds.default;
}

/** When a listing expires, listed at `at`. */
export function listingExpiresAt(policy: MarketPolicy, at: Date): Date {
  return new Date(at.getTime() + policy.listingTtlHours * 3_600_000);
}

/**
 * Why `buyer` may not buy from `seller`, or null: not their own listing, and, while the
 * multiple-accounts rule is on (`accountsPerIpDaily` set), not a linked account (invited one
 * another, or registered from the same address): no wash trading.
 */
export function tradeRefusal(seller: PeerAccount, buyer: PeerAccount, multipleAccountsRuleOn: boolean): 'OWN_LISTING' | 'LINKED' | null {
  if (seller.id === buyer.id) return 'OWN_LISTING';
  if (multipleAccountsRuleOn && linkedAccounts(seller, buyer, true)) return 'LINKED';
  return null;
}

/** ONE idempotency key per listing: whatever races, the ledger holds at most one sale of it. */
export const saleKey = (listingId: string): string => `market:sale:${listingId}`;

/** What a sale entry says, read back (a replay, or a crash recovery that completes the sale). */
export interface SaleFacts {
  listingId: string;
  buyerId: string;
  sellerId: string;
  requestId: string;
  fee: number;
}

/**
 * The sale's one ledger entry: buyer pays the price, the seller gets price - fee, the sink the fee;
 * its transfer moves the purchase to the buyer and closes the listing in the same posting
 * transaction, only while the listing is claimed under `requestId` and the seller holds the item.
 */
export function saleDraft(
  l: Pick<ListingRecord, 'id' | 'sellerId' | 'purchaseId' | 'itemId' | 'price'>,
  buyerId: string,
  requestId: string,
  fee: number,
  firstSale: boolean,
): DraftInput {
  const facts: SaleFacts = { listingId: l.id, buyerId, sellerId: l.sellerId, requestId, fee };
  const entry = tradeEntry(buyerId, l.sellerId, l.price, fee, { idempotencyKey: saleKey(l.id), metadata: { ...facts, purchaseId: l.purchaseId, itemId: l.itemId, price: l.price } });
  const draft: DraftInput = { ...entry, transfer: { kind: 'market_sale', listingId: l.id, purchaseId: l.purchaseId, sellerId: l.sellerId, buyerId, claimRequestId: requestId } };
  return firstSale ? { ...draft, claims: [firstExitClaim(l.purchaseId)] } : draft;
}

/**
 * A shop purchase leaves its first owner once: by a refund or by its first market sale, never
 * both. Both entries take this bounded counter (max 1) in the posting transaction, so when a
 * refund and a sale race past their checks, the ledger lets exactly one of them post and the other
 * is refused with nothing written (no charge without the item). Later sales need no claim: a
 * purchase sold once is never refundable (`everSold`).
 */
export function firstExitClaim(purchaseId: string): CounterClaim {
  return { key: `purchase:${purchaseId}:first-exit`, delta: 1, max: 1 };
}

/** The sale an entry records, or null when it is not a market sale entry. */
export function saleFromEntry(entry: JournalEntry): SaleFacts | null {
  const m = entry.metadata;
  if (entry.kind !== 'trade') return null;
  const { listingId, buyerId, sellerId, requestId, fee } = m as Record<string, unknown>;
  if (typeof listingId !== 'string' || typeof buyerId !== 'string' || typeof sellerId !== 'string' || typeof requestId !== 'string' || typeof fee !== 'number') return null;
  if (entry.idempotencyKey !== saleKey(listingId)) return null;
  return { listingId, buyerId, sellerId, requestId, fee };
}
