import { Schema, type ClientSession, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { ListingStatus } from '../../../shared/market.js';
import type { CreateListingResult, ListingClaim, ListingRecord, MarketStore, NewListing } from '../../market/ports.js';
import { LISTING_IDS_MAX } from '../../market/ports.js';
import { checkPageLimit } from '../page.js';
import { isDuplicateKeyOn } from './errors.js';
import { SCHEMA_OPTIONS, modelOn, readiness } from './model.js';
import { heldBy } from './market-sale.js';
import { runInTransaction } from './transaction.js';

interface ListingDoc {
  _id: string;
  sellerId: string;
  requestId: string;
  purchaseId: string;
  itemId: string;
  price: number;
  status: ListingStatus;
  createdAt: Date;
  expiresAt: Date;
  closedAt: Date | null;
  buyerId: string | null;
  saleEntryId: string | null;
  claim: ListingClaim | null;
}

const listingSchema = new Schema<ListingDoc>(
  {
    _id: { type: String, required: true },
    sellerId: { type: String, required: true },
    requestId: { type: String, required: true },
    purchaseId: { type: String, required: true },
    itemId: { type: String, required: true },
    price: { type: Number, required: true, min: 1 },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    closedAt: { type: Date, default: null },
    buyerId: { type: String, default: null },
    saleEntryId: { type: String, default: null },
    claim: { type: new Schema<ListingClaim>({ buyerId: String, requestId: String, until: Date }, { _id: false }), default: null },
  },
  { ...SCHEMA_OPTIONS, collection: 'market_listings' },
);
const REQUEST_INDEX = 'seller_request_unique';
const OPEN_PURCHASE_INDEX = 'open_purchase_unique';
listingSchema.index({ sellerId: 1, requestId: 1 }, { unique: true, name: REQUEST_INDEX });
// At most one open listing per purchase: "listed twice" is refused by the database itself.
listingSchema.index({ purchaseId: 1 }, { unique: true, name: OPEN_PURCHASE_INDEX, partialFilterExpression: { status: 'open' } });
listingSchema.index({ status: 1, itemId: 1, price: 1, _id: 1 }, { name: 'open_price' });
listingSchema.index({ status: 1, expiresAt: 1 }, { name: 'open_expiry' });
listingSchema.index({ itemId: 1, status: 1, closedAt: -1 }, { name: 'sales' });

const fromDoc = ({ _id, ...rest }: ListingDoc): ListingRecord => ({ id: _id, ...rest, claim: rest.claim ?? null });

/** No claim holds the listing at `at`: none, or one past its `until`. */
const noLiveClaim = (at: Date) => ({ $or: [{ claim: null }, { 'claim.until': { $lte: at } }] });
const CLEAR_CLAIM = { claim: null };

/**
 * Listings over MongoDB. One document per listing (no shared counter document): every change is
 * a single-document update with its condition in the filter. A sale's item move and listing close
 * run in the ledger's posting transaction (./market-sale.ts); `settle`, which completes an entry
 * the earlier version posted without them, moves the purchase record (token_purchases) and
 * closes the listing in one transaction (with retry), every operation on its session.
 */
export function createMongoMarketStore(connection: Connection, builds: IndexBuilds): MarketStore {
  const Listings = modelOn(connection, 'MarketListing', listingSchema);
  const ready = readiness(builds, [Listings]);
  const purchases = () => connection.collection<{ _id: string; userId: string }>('token_purchases');
  const byId = async (id: string, session?: ClientSession): Promise<ListingRecord | null> => {
    const doc = await Listings.findById(id, null, session ? { session } : {}).lean<ListingDoc | null>();
    return doc ? fromDoc(doc) : null;
  };

  const insertOrExisting = async (l: NewListing, at: Date): Promise<CreateListingResult> => {
    const earlier = await Listings.findOne({ sellerId: l.sellerId, requestId: l.requestId }).lean<ListingDoc | null>();
    if (earlier) return { status: 'duplicate', listing: fromDoc(earlier) };
    // An expired listing of the purchase gives the item back: close it, then list anew.
    await Listings.updateOne(
      { purchaseId: l.purchaseId, status: 'open', expiresAt: { $lte: at }, ...noLiveClaim(at) },
      { $set: { status: 'expired', closedAt: at, ...CLEAR_CLAIM } },
    );
    const { id, ...rest } = l;
    try {
      await Listings.create([{ _id: id, ...rest, status: 'open', closedAt: null, buyerId: null, saleEntryId: null, claim: null }]);
    } catch (err) {
      if (isDuplicateKeyOn(err, REQUEST_INDEX)) {
        const first = await Listings.findOne({ sellerId: l.sellerId, requestId: l.requestId }).lean<ListingDoc | null>();
        if (first) return { status: 'duplicate', listing: fromDoc(first) };
      }
      if (isDuplicateKeyOn(err, OPEN_PURCHASE_INDEX)) {
        const open = await Listings.findOne({ purchaseId: l.purchaseId, status: 'open' }).lean<ListingDoc | null>();
        if (open) return { status: 'already_listed', listing: fromDoc(open) };
      }
      throw err;
    }
    return { status: 'created', listing: (await byId(id))! };
  };

  return {
    async create(l, at) {
      await ready();
      return insertOrExisting(l, at);
    },
    findById: (id) => byId(id),
    async listOpen(q, at) {
      checkPageLimit(q.limit);
      const filter: Record<string, unknown> = { status: 'open', expiresAt: { $gt: at } };
      if (q.itemId !== undefined) filter['itemId'] = q.itemId;
      if (q.after) {
        if (q.sort === 'price') filter['$or'] = [{ price: { $gt: q.after.price } }, { price: q.after.price, _id: { $gt: q.after.id } }];
        else filter['_id'] = { $lt: q.after.id };
      }
      const sort: Record<string, 1 | -1> = q.sort === 'price' ? { price: 1, _id: 1 } : { _id: -1 };
      const docs = await Listings.find(filter).sort(sort).limit(q.limit + 1).lean<ListingDoc[]>();
      return docs.map(fromDoc);
    },
    async openPurchaseIds(purchaseIds, at) {
      if (purchaseIds.length === 0) return new Set();
      if (purchaseIds.length > LISTING_IDS_MAX) throw new RangeError(`at most ${LISTING_IDS_MAX} purchase ids`);
      const docs = await Listings.find({ purchaseId: { $in: [...purchaseIds] }, status: 'open', expiresAt: { $gt: at } }, { purchaseId: 1 }).lean<Array<{ purchaseId: string }>>();
      return new Set(docs.map((d) => d.purchaseId));
    },
    async everSold(purchaseId) {
      return (await Listings.exists({ purchaseId, status: 'sold' })) !== null;
    },
    async claim(id, c, at) {
      await ready();
      const doc = await Listings.findOneAndUpdate(
        { _id: id, status: 'open', expiresAt: { $gt: at }, ...noLiveClaim(at) },
        { $set: { claim: c } },
        { returnDocument: 'after' },
      ).lean<ListingDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async release(id, requestId) {
      await Listings.updateOne({ _id: id, status: 'open', 'claim.requestId': requestId }, { $set: CLEAR_CLAIM });
    },
    async settle(id, sale) {
      await ready();
      return runInTransaction(connection, async (session) => {
        const listing = await byId(id, session);
        if (!listing) return null;
        if (listing.status === 'sold') return listing.saleEntryId === sale.saleEntryId ? listing : null;
        if (listing.status !== 'open') return null;
        const moved = await purchases().updateOne(heldBy(listing.purchaseId, listing.sellerId), { $set: { userId: sale.buyerId } }, { session });
        if (moved.modifiedCount !== 1) return null;
        const closed = await Listings.updateOne(
          { _id: id, status: 'open' },
          { $set: { status: 'sold', buyerId: sale.buyerId, saleEntryId: sale.saleEntryId, closedAt: sale.at, ...CLEAR_CLAIM } },
          { session },
        );
        // Aborts the transaction, the owner change with it.
        if (closed.modifiedCount !== 1) throw new Error(`listing ${id} changed inside its sale`);
        return byId(id, session);
      });
    },
    async cancel(id, at) {
      const doc = await Listings.findOneAndUpdate(
        { _id: id, status: 'open', ...noLiveClaim(at) },
        { $set: { status: 'cancelled', closedAt: at, ...CLEAR_CLAIM } },
        { returnDocument: 'after' },
      ).lean<ListingDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async expireDue(at, limit) {
      checkPageLimit(limit);
      const due = await Listings.find({ status: 'open', expiresAt: { $lte: at }, ...noLiveClaim(at) }).sort({ expiresAt: 1 }).limit(limit).lean<ListingDoc[]>();
      const out: ListingRecord[] = [];
      for (const doc of due) {
        const closed = await Listings.findOneAndUpdate(
          { _id: doc._id, status: 'open', expiresAt: { $lte: at }, ...noLiveClaim(at) },
          { $set: { status: 'expired', closedAt: at, ...CLEAR_CLAIM } },
          { returnDocument: 'after' },
        ).lean<ListingDoc | null>();
        if (closed) out.push(fromDoc(closed));
      }
      return out;
    },
    async staleClaims(at, limit) {
      checkPageLimit(limit);
      const docs = await Listings.find({ status: 'open', 'claim.until': { $lte: at } }).sort({ 'claim.until': 1 }).limit(limit).lean<ListingDoc[]>();
      return docs.map(fromDoc);
    },
    async sales(itemId, limit) {
      checkPageLimit(limit);
      const docs = await Listings.find({ itemId, status: 'sold' }).sort({ closedAt: -1, _id: -1 }).limit(limit).lean<ListingDoc[]>();
      return docs.map(fromDoc);
    },
  };
}
