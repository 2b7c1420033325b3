import type { Backend } from './backend.js';
import type { PurchaseStore } from '../shop/ports.js';
import { createSqlitePurchaseStore } from './sqlite/purchases-store.js';

/** The purchases store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createPurchaseStore(backend: Backend): Promise<PurchaseStore> {
  if (backend.kind === 'sqlite') return createSqlitePurchaseStore(backend.db);
  const { createMongoPurchaseStore } = await import('./mongo/purchases-store.js');
  return createMongoPurchaseStore(backend.connection, backend.indexBuilds);
}
