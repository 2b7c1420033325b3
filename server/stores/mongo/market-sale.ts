import type { Connection } from 'mongoose';
import type { MarketSaleTransfer } from '../../ledger/ports.js';
import { LedgerInvariantError } from '../../ledger/rules.js';
import type { MongoCompanion } from './entry-companions.js';

/** The purchase record while `sellerId` holds it unrefunded and unused: the filter of a sale's owner change. */
export const heldBy = (purchaseId: string, sellerId: string) => ({ _id: purchaseId, userId: sellerId, refundedAt: null, usedAt: null });

interface ListingFields {
  _id: string;
  status: string;
  sellerId: string;
  purchaseId: string;
  claim: { buyerId: string; requestId: string } | null;
}

/**
 * A market sale's companion write on MongoDB (issue 13): in the ledger's posting transaction and
 * on its session, the listing must be open and claimed by this buyer's request and the seller
 * must still hold the purchase; then the purchase moves to the buyer and the listing closes as
 * sold with the entry. Both updates carry their condition in the filter, so a change committed
 * after the snapshot is a write conflict (the transaction runs again) rather than a lost check.
 */
export function mongoMarketSale(connection: Connection): MongoCompanion<MarketSaleTransfer> {
  const listings = () => connection.collection<ListingFields>('market_listings');
  const purchases = () => connection.collection<{ _id: string; userId: string }>('token_purchases');

  return {
    async refusal(t, session) {
      const listing = await listings().findOne({ _id: t.listingId }, { session, projection: { status: 1, sellerId: 1, purchaseId: 1, claim: 1 } });
      if (!listing || listing.status !== 'open') return 'listing_closed';
      if (listing.sellerId !== t.sellerId || listing.purchaseId !== t.purchaseId) throw new LedgerInvariantError(`sale of listing ${t.listingId} names another seller or purchase`, { transfer: t });
      if (listing.claim?.buyerId !== t.buyerId || listing.claim.requestId !== t.claimRequestId) return 'claim_lost';
      return (await purchases().findOne(heldBy(t.purchaseId, t.sellerId), { session, projection: { _id: 1 } })) ? null : 'item_gone';
    },
    async apply(t, entry, session) {
      const moved = await purchases().updateOne(heldBy(t.purchaseId, t.sellerId), { $set: { userId: t.buyerId } }, { session });
      if (moved.modifiedCount !== 1) throw new LedgerInvariantError(`purchase ${t.purchaseId} did not move in its sale`, { transfer: t });
      const closed = await listings().updateOne(
        { _id: t.listingId, status: 'open', 'claim.buyerId': t.buyerId, 'claim.requestId': t.claimRequestId },
        { $set: { status: 'sold', buyerId: t.buyerId, saleEntryId: entry.id, closedAt: entry.createdAt, claim: null } },
        { session },
      );
      if (closed.modifiedCount !== 1) throw new LedgerInvariantError(`listing ${t.listingId} did not close in its sale`, { transfer: t });
    },
  };
}
