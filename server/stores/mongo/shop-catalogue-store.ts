import { Schema, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { ShopItem } from '../../economy/config/schema.js';
import { CATALOGUE_ITEMS_MAX, type CatalogueRecord, type ShopCatalogueStore } from '../../shop/catalogue-ports.js';
import { isDuplicateKey } from './errors.js';
import { SCHEMA_OPTIONS, modelOn, readiness } from './model.js';

interface CatalogueDoc {
  /** The item id. */
  _id: string;
  item: ShopItem;
  updatedAt: Date;
  updatedBy: string;
}

const catalogueSchema = new Schema<CatalogueDoc>(
  {
    _id: { type: String, required: true },
    item: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'shop_catalogue' },
);

const fromDoc = (d: CatalogueDoc): CatalogueRecord => ({ item: d.item, updatedAt: d.updatedAt, updatedBy: d.updatedBy });

/**
 * The admin catalogue on MongoDB: one small document per item id (no catalogue-wide document, so
 * two admins editing two items never contend). Every write is one single-document operation,
 * atomic on its own (an insert on `_id`, a replace by `_id`), so it needs no transaction or session,
 * as the purchases store (docs/shop.md, "Admin catalogue").
 */
export function createMongoShopCatalogueStore(connection: Connection, builds: IndexBuilds): ShopCatalogueStore {
  const Catalogue = modelOn(connection, 'ShopCatalogueItem', catalogueSchema);
  const ready = readiness(builds, [Catalogue]);
  return {
    async list() {
      const docs = await Catalogue.find({}).sort({ _id: 1 }).limit(CATALOGUE_ITEMS_MAX).lean<CatalogueDoc[]>();
      return docs.map(fromDoc);
    },
    async find(itemId) {
      const doc = await Catalogue.findById(itemId).lean<CatalogueDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async insert(r) {
      await ready();
      try {
        await Catalogue.create([{ _id: r.item.id, item: r.item, updatedAt: r.updatedAt, updatedBy: r.updatedBy }]);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async put(r) {
      await ready();
      await Catalogue.replaceOne({ _id: r.item.id }, { item: r.item, updatedAt: r.updatedAt, updatedBy: r.updatedBy }, { upsert: true });
    },
  };
}
