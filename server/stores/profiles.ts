import type { Backend } from './backend.js';
import type { ProfileStore } from '../users/profile-ports.js';
import { createSqliteProfileStore } from './sqlite/profiles-store.js';

/** The profiles store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createProfileStore(backend: Backend): Promise<ProfileStore> {
  if (backend.kind === 'sqlite') return createSqliteProfileStore(backend.db);
  const { createMongoProfileStore } = await import('./mongo/profiles-store.js');
  return createMongoProfileStore(backend.connection, backend.indexBuilds);
}
