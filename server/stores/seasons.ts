import type { Backend } from './backend.js';
import type { SeasonStore } from '../seasons/ports.js';
import { createSqliteSeasonStore } from './sqlite/seasons-store.js';

/** The season store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createSeasonStore(backend: Backend): Promise<SeasonStore> {
  if (backend.kind === 'sqlite') return createSqliteSeasonStore(backend.db);
  const { createMongoSeasonStore } = await import('./mongo/seasons-store.js');
  return createMongoSeasonStore(backend.connection, backend.indexBuilds);
}
