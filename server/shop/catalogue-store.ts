import type { Backend } from '../stores/backend.js';
import type { ShopCatalogueStore } from './catalogue-ports.js';
import { createSqliteShopCatalogueStore } from '../stores/sqlite/shop-catalogue-store.js';

/** The admin catalogue store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createShopCatalogueStore(backend: Backend): Promise<ShopCatalogueStore> {
  if (backend.kind === 'sqlite') return createSqliteShopCatalogueStore(backend.db);
  const { createMongoShopCatalogueStore } = await import('../stores/mongo/shop-catalogue-store.js');
  return createMongoShopCatalogueStore(backend.connection);
}
