import type { Backend } from '../stores/backend.js';
import type { MarketStore } from './ports.js';
import { createSqliteMarketStore } from '../stores/sqlite/market-store.js';

/** The listing store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createMarketStore(backend: Backend): Promise<MarketStore> {
  if (backend.kind === 'sqlite') return createSqliteMarketStore(backend.db);
  const { createMongoMarketStore } = await import('../stores/mongo/market-store.js');
  return createMongoMarketStore(backend.connection);
}
