import type { Backend } from './backend.js';
import type { PenaltyStore } from '../abuse/ports.js';
import { createSqlitePenaltyStore } from './sqlite/penalties-store.js';

/** The penalties store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createPenaltyStore(backend: Backend): Promise<PenaltyStore> {
  if (backend.kind === 'sqlite') return createSqlitePenaltyStore(backend.db);
  const { createMongoPenaltyStore } = await import('./mongo/penalties-store.js');
  return createMongoPenaltyStore(backend.connection, backend.indexBuilds);
}
