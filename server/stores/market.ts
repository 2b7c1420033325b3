import type { Backend } from './backend.js';
import type { MarketStore } from '../market/ports.js';
import { createSqliteMarketStore } from './sqlite/market-store.js';

/** The listing store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createMarketStore(backend: Backend): Promise<MarketStore> {
  if (backend.kind === 'sqlite') return createSqliteMarketStore(backend.db);
  const { createMongoMarketStore } = await import('./mongo/market-store.js');
  return createMongoMarketStore(backend.connection, backend.indexBuilds);
}
