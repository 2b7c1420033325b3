import type { FundedAccountSource } from '../abuse/decay-candidates.js';
import type { SupplySource } from '../metrics/supply.js';
import type { Backend } from './backend.js';
import { createSqliteLedgerReads } from './sqlite/ledger-reads.js';

/**
 * Listing reads over the ledger's cached balances (`ledger_accounts` on both backends) that the
 * LedgerStore port does not offer because only one consumer needs each: the supply gauges
 * (server/metrics/) and the decay job's candidates (server/abuse/decay-candidates.ts). They live
 * here, next to the ledger store, so no feature reads the ledger's tables itself (issue 15).
 */
export interface LedgerReads {
  /** The supply facts in one consistent snapshot. */
  supply: SupplySource;
  /** User accounts with a positive balance after a user id cursor. */
  fundedAccounts: FundedAccountSource;
}

/** The reads over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createLedgerReads(backend: Backend): Promise<LedgerReads> {
  if (backend.kind === 'sqlite') return createSqliteLedgerReads(backend.db);
  const { createMongoLedgerReads } = await import('./mongo/ledger-reads.js');
  return createMongoLedgerReads(backend.connection);
}
