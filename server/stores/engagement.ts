import type { Backend } from './backend.js';
import type { EngagementStore } from '../engagement/ports.js';
import { createSqliteEngagementStore } from './sqlite/engagement-store.js';

/** The engagement store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createEngagementStore(backend: Backend): Promise<EngagementStore> {
  if (backend.kind === 'sqlite') return createSqliteEngagementStore(backend.db);
  const { createMongoEngagementStore } = await import('./mongo/engagement-store.js');
  return createMongoEngagementStore(backend.connection, backend.indexBuilds);
}
