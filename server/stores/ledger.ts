import type { Backend } from './backend.js';
import type { LedgerFaults, LedgerStore } from '../ledger/ports.js';
import type { EntryCompanions } from './entry-companions.js';
import { createSqliteLedgerStore } from './sqlite/ledger-store.js';

export interface LedgerStoreOptions {
  /** Test-only fault injection. */
  faults?: LedgerFaults;
  /** The companion writes of entries with a `transfer` (a market sale); without them such an entry is refused as a wiring bug. */
  companions?: EntryCompanions;
}

/**
 * The ledger store over the process's one backend. The MongoDB adapter is loaded only when the
 * backend is MongoDB, so the embedded default never loads mongoose; its "no server" failures reach
 * callers as STORE_UNAVAILABLE.
 */
export async function createLedgerStore(backend: Backend, opts: LedgerStoreOptions = {}): Promise<LedgerStore> {
  if (opts.companions && opts.companions.kind !== backend.kind) throw new Error(`entry companions built for ${opts.companions.kind}, ledger on ${backend.kind}`);
  const faults = opts.faults ? { faults: opts.faults } : {};
  if (backend.kind === 'sqlite') return createSqliteLedgerStore(backend.db, { ...faults, ...(opts.companions?.kind === 'sqlite' ? { companions: opts.companions.companions } : {}) });
  const [{ createMongoLedgerStore }, { failFast }] = await Promise.all([import('./mongo/ledger-store.js'), import('./mongo/unavailable.js')]);
  return failFast(createMongoLedgerStore(backend.connection, backend.indexBuilds, { ...faults, ...(opts.companions?.kind === 'mongodb' ? { companions: opts.companions.companions } : {}) }));
}
