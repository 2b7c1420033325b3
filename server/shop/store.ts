import type { Backend } from '../stores/backend.js';
import type { PurchaseStore } from './ports.js';
import { createSqlitePurchaseStore } from '../stores/sqlite/purchases-store.js';

/** The purchases store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createPurchaseStore(backend: Backend): Promise<PurchaseStore> {
  if (backend.kind === 'sqlite') return createSqlitePurchaseStore(backend.db);
  const { createMongoPurchaseStore } = await import('../stores/mongo/purchases-store.js');
  return createMongoPurchaseStore(backend.connection);
}
