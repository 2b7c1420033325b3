import type { Backend } from '../stores/backend.js';
import type { EngagementStore } from './ports.js';
import { createSqliteEngagementStore } from '../stores/sqlite/engagement-store.js';

/** The engagement store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createEngagementStore(backend: Backend): Promise<EngagementStore> {
  if (backend.kind === 'sqlite') return createSqliteEngagementStore(backend.db);
  const { createMongoEngagementStore } = await import('../stores/mongo/engagement-store.js');
  return createMongoEngagementStore(backend.connection);
}
