import type { Backend } from '../stores/backend.js';
import type { SeasonStore } from './ports.js';
import { createSqliteSeasonStore } from '../stores/sqlite/seasons-store.js';

/** The season store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createSeasonStore(backend: Backend): Promise<SeasonStore> {
  if (backend.kind === 'sqlite') return createSqliteSeasonStore(backend.db);
  const { createMongoSeasonStore } = await import('../stores/mongo/seasons-store.js');
  return createMongoSeasonStore(backend.connection);
}
