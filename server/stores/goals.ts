import type { Backend } from './backend.js';
import type { GoalStore } from '../goals/ports.js';
import { createSqliteGoalStore } from './sqlite/goals-store.js';

/** The room goal store over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createGoalStore(backend: Backend): Promise<GoalStore> {
  if (backend.kind === 'sqlite') return createSqliteGoalStore(backend.db);
  const { createMongoGoalStore } = await import('./mongo/goals-store.js');
  return createMongoGoalStore(backend.connection, backend.indexBuilds);
}
