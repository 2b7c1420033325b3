import { z } from 'zod';
import { id, pin, requestId } from './schemas.js';

/**
 * The trading marketplace (issue 13, docs/market.md): wire types and request schemas, shared by
 * the server (server/market/), the API reference and clients.
 */

/** open: for sale; sold, cancelled (by the seller or an admin), expired: closed for good. */
export type ListingStatus = 'open' | 'sold' | 'cancelled' | 'expired';

export interface ListingView {
  id: string;
  sellerId: string;
  /** The shop purchase being sold (its record changes owner on a sale). */
  purchaseId: string;
  itemId: string;
  price: number;
  status: ListingStatus;
  createdAt: string;
  expiresAt: string;
  closedAt: string | null;
  /** Set once sold. */
  buyerId: string | null;
  /** The ledger `trade` entry of the sale, once sold. */
  saleEntryId: string | null;
}

/** One sale of an item, for its price history. */
export interface SaleView {
  listingId: string;
  itemId: string;
  price: number;
  at: string;
}

/** `GET /api/market/items/:itemId/history`: newest sale first; `lastSale` is the newest or null. */
export interface PriceHistoryView {
  itemId: string;
  lastSale: SaleView | null;
  sales: SaleView[];
}

/** `POST /api/market/listings/:id/buy`: the sale as the buyer sees it. */
export interface MarketPurchaseResult {
  listing: ListingView;
  /** What the seller got (price minus the fee) and the fee the sink took. */
  sellerReceived: number;
  fee: number;
  /** The buyer's balance right after the sale. */
  balance: number;
  /** True on a repeated requestId: the first answer again, nothing charged twice. */
  duplicate: boolean;
}

/** `POST /api/market/listings`: list an owned purchase for a price; idempotent by requestId. */
export const marketListBody = z.object({ purchaseId: id, price: z.number().int().min(1).max(1_000_000_000), requestId });
/** `GET /api/market/listings`: open listings, optionally of one item, cheapest or newest first; `before` is the last id of the previous page. */
export const marketListingsQuery = z.object({
  itemId: z.string().regex(/^[a-z0-9_]{1,64}$/).optional(),
  sort: z.enum(['price', 'time']).optional(),
  before: id.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
/** `POST /api/market/listings/:id/buy`: the PIN, and a requestId that makes a retry answer the first sale. */
export const marketBuyBody = z.object({ pin, requestId });
/** `market:watch`: start (true) or stop (false) receiving the live `market:*` events. */
export const marketWatchPayload = z.object({ watch: z.boolean() });
/** `GET /api/market/items/:itemId/history?limit=` */
export const marketHistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).optional() });

/** Live events to market watchers (`market:watch`); the seller and buyer get theirs on their own channel too. */
export interface MarketEvents {
  'market:listed': (e: { listing: ListingView }) => void;
  'market:sold': (e: { listing: ListingView; price: number }) => void;
  /** A listing closed without a sale: the seller or an admin cancelled it, or it expired. */
  'market:closed': (e: { listing: ListingView; reason: 'cancelled' | 'expired' }) => void;
}
