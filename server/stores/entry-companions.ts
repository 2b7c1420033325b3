import type { Backend } from './backend.js';
import type { MongoEntryCompanions } from './mongo/entry-companions.js';
import { createSqliteEntryCompanions, type SqliteEntryCompanions } from './sqlite/entry-companions.js';

/**
 * The companion writes the ledger runs inside its posting transaction (EntryDraft.transfer: a
 * market sale's item move and listing close), for the backend they were built on. The ledger
 * adapter receives them as a port and never reaches into the market's records itself.
 */
export type EntryCompanions = { kind: 'sqlite'; companions: SqliteEntryCompanions } | { kind: 'mongodb'; companions: MongoEntryCompanions };

/** The companions over the process's one backend (the MongoDB ones load only with MongoDB). */
export async function createEntryCompanions(backend: Backend): Promise<EntryCompanions> {
  if (backend.kind === 'sqlite') return { kind: 'sqlite', companions: createSqliteEntryCompanions(backend.db) };
  const { createMongoEntryCompanions } = await import('./mongo/entry-companions.js');
  return { kind: 'mongodb', companions: createMongoEntryCompanions(backend.connection) };
}
