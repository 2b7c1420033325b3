import type { Backend } from './backend.js';
import type { LedgerFaults, LedgerStore } from '../ledger/ports.js';
import { createSqliteLedgerStore } from './sqlite/ledger-store.js';

/**
 * The ledger store over the process's one backend. The MongoDB adapter is loaded only when the
 * backend is MongoDB, so the embedded default never loads mongoose; its "no server" failures reach
 * callers as STORE_UNAVAILABLE. `faults` is for tests only.
 */
export async function createLedgerStore(backend: Backend, opts: { faults?: LedgerFaults } = {}): Promise<LedgerStore> {
  if (backend.kind === 'sqlite') return createSqliteLedgerStore(backend.db, opts);
  const [{ createMongoLedgerStore }, { failFast }] = await Promise.all([import('./mongo/ledger-store.js'), import('./mongo/unavailable.js')]);
  return failFast(createMongoLedgerStore(backend.connection, opts));
}
