import { Schema, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { NewPurchase, PurchaseRecord, PurchaseStore } from '../../shop/ports.js';
import { PURCHASES_LIST_MAX, checkPurchaseListLimit } from '../../shop/ports.js';
import { isDuplicateKey } from './errors.js';
import { SCHEMA_OPTIONS, modelOn, readiness } from './model.js';

type PurchaseDoc = Omit<PurchaseRecord, 'id'> & { _id: string };

const purchaseSchema = new Schema<PurchaseDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    itemId: { type: String, required: true },
    category: { type: String, required: true },
    cost: { type: Number, required: true, min: 1 },
    entryId: { type: String, required: true },
    roomId: { type: String, default: null },
    messageId: { type: String, default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, default: null },
    usedAt: { type: Date, default: null },
    refundedAt: { type: Date, default: null },
    refundAmount: { type: Number, default: null },
    refundEntryId: { type: String, default: null },
  },
  { ...SCHEMA_OPTIONS, collection: 'token_purchases' },
);
purchaseSchema.index({ entryId: 1 }, { unique: true, name: 'entryId_unique' });
purchaseSchema.index({ userId: 1, _id: -1 }, { name: 'userId_id' });
purchaseSchema.index({ itemId: 1, expiresAt: 1 }, { name: 'itemId_expiresAt' });

/** Not refunded, not used, not expired at `at`. */
const activeAt = (at: Date) => ({ refundedAt: null, usedAt: null, $or: [{ expiresAt: null }, { expiresAt: { $gt: at } }] });

// Records written before pins carried a message have no messageId field.
const fromDoc = ({ _id, ...rest }: PurchaseDoc): PurchaseRecord => ({ id: _id, ...rest, messageId: rest.messageId ?? null });

/**
 * Purchases over MongoDB. Every write is one single-document operation with its condition in the
 * filter (atomic on its own), so no multi-document transaction and no session is needed: the
 * purchase and its ledger entry are tied by the entry id instead (see docs/shop.md).
 */
export function createMongoPurchaseStore(connection: Connection, builds: IndexBuilds): PurchaseStore {
  const Purchases = modelOn(connection, 'TokenPurchase', purchaseSchema);
  const ready = readiness(builds, [Purchases]);
  const byId = async (id: string): Promise<PurchaseRecord | null> => {
    const doc = await Purchases.findById(id).lean<PurchaseDoc | null>();
    return doc ? fromDoc(doc) : null;
  };

  return {
    async record(p: NewPurchase) {
      await ready();
      const { id, ...rest } = p;
      let created = true;
      try {
        await Purchases.create([{ _id: id, ...rest, usedAt: null, refundedAt: null, refundAmount: null, refundEntryId: null }]);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        created = false;
      }
      const purchase = await byId(id);
      if (!purchase) throw new Error(`purchase ${id} not readable after insert`);
      return { purchase, created };
    },
    findById: byId,
    async listByUser(userId, limit) {
      checkPurchaseListLimit(limit);
      const docs = await Purchases.find({ userId }).sort({ _id: -1 }).limit(limit).lean<PurchaseDoc[]>();
      return docs.map(fromDoc);
    },
    async listActive(userId, at) {
      const docs = await Purchases.find({ userId, ...activeAt(at) })
        .sort({ _id: -1 })
        .limit(PURCHASES_LIST_MAX)
        .lean<PurchaseDoc[]>();
      return docs.map(fromDoc);
    },
    async listActiveOf(filter, at) {
      if (filter.itemIds.length === 0 || filter.userIds?.length === 0) return [];
      const docs = await Purchases.find({
        itemId: { $in: [...filter.itemIds] },
        ...(filter.userIds ? { userId: { $in: [...filter.userIds] } } : {}),
        ...(filter.roomId !== undefined ? { roomId: filter.roomId } : {}),
        ...activeAt(at),
      })
        .sort({ _id: -1 })
        .limit(PURCHASES_LIST_MAX)
        .lean<PurchaseDoc[]>();
      return docs.map(fromDoc);
    },
    async useOne(userId, itemIds, at, roomId) {
      if (itemIds.length === 0) return null;
      await ready();
      const doc = await Purchases.findOneAndUpdate(
        { userId, itemId: { $in: [...itemIds] }, ...(roomId !== undefined ? { roomId } : {}), usedAt: null, refundedAt: null },
        { $set: { usedAt: at } },
        { sort: { _id: 1 }, returnDocument: 'after' },
      ).lean<PurchaseDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async beginRefund(id, r) {
      await ready();
      const filter = r.requireUnused ? { _id: id, refundedAt: null, usedAt: null } : { _id: id, refundedAt: null };
      const result = await Purchases.updateOne(filter, { $set: { refundedAt: r.at, refundAmount: r.amount } });
      return result.modifiedCount === 1;
    },
    async completeRefund(id, refundEntryId) {
      await Purchases.updateOne({ _id: id, refundedAt: { $ne: null } }, { $set: { refundEntryId } });
    },
    async abortRefund(id) {
      await Purchases.updateOne({ _id: id, refundEntryId: null }, { $set: { refundedAt: null, refundAmount: null } });
    },
  };
}
