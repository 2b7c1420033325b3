import type { ListingView, SaleView } from '../../shared/market.js';
import type { ListingRecord } from './ports.js';
import { listingStatusAt } from './rules.js';

/** A listing as clients see it at `at` (an open listing past its expiry shows as expired). */
export function listingView(l: ListingRecord, at: Date): ListingView {
  return {
    id: l.id,
    sellerId: l.sellerId,
    purchaseId: l.purchaseId,
    itemId: l.itemId,
    price: l.price,
    status: listingStatusAt(l, at),
    createdAt: l.createdAt.toISOString(),
    expiresAt: l.expiresAt.toISOString(),
    closedAt: l.closedAt ? l.closedAt.toISOString() : null,
    buyerId: l.buyerId,
    saleEntryId: l.saleEntryId,
  };
}

/** A sold listing as one point of its item's price history. */
export function saleView(l: ListingRecord): SaleView {
  return { listingId: l.id, itemId: l.itemId, price: l.price, at: (l.closedAt ?? l.createdAt).toISOString() };
}
