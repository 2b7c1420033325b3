import type { ShopItem } from '../economy/config/schema.js';

/**
 * The admin catalogue (issue 13): shop items admins added or changed at runtime
 * (`POST/PATCH /api/admin/shop/items`). The economy config's items stay the default catalogue; a
 * stored item with the same id replaces the default one, any other stored id is added to it.
 * Two adapters (server/stores/{sqlite,mongo}/shop-catalogue-store.ts) share
 * test/contract/shop-catalogue.contract.test.ts. Each item is one row / document, written with one
 * single-row operation, so two admins' writes never half-apply.
 */
export interface CatalogueRecord {
  item: ShopItem;
  updatedAt: Date;
  updatedBy: string;
}

/** Bound of the admin catalogue (the economy config allows 500 items too). */
export const CATALOGUE_ITEMS_MAX = 500;

export interface ShopCatalogueStore {
  /** Every stored item, by id order, at most CATALOGUE_ITEMS_MAX. */
  list(): Promise<CatalogueRecord[]>;
  find(itemId: string): Promise<CatalogueRecord | null>;
  /** Inserts a new item; false (nothing written) when one with this id is stored already. */
  insert(record: CatalogueRecord): Promise<boolean>;
  /** Writes the item, replacing a stored one with the same id (a PATCH's result). */
  put(record: CatalogueRecord): Promise<void>;
}
