import type { Backend } from './backend.js';
import type { ShopCatalogueStore } from '../shop/catalogue-ports.js';
import { createSqliteShopCatalogueStore } from './sqlite/shop-catalogue-store.js';

/** The admin catalogue store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createShopCatalogueStore(backend: Backend): Promise<ShopCatalogueStore> {
  if (backend.kind === 'sqlite') return createSqliteShopCatalogueStore(backend.db);
  const { createMongoShopCatalogueStore } = await import('./mongo/shop-catalogue-store.js');
  return createMongoShopCatalogueStore(backend.connection, backend.indexBuilds);
}
