import type { EntryTransfer, JournalEntry, TransferRefusal } from '../../ledger/ports.js';
import type { SqliteDb } from './db.js';
import { sqliteMarketSale } from './market-sale.js';

/**
 * One kind of companion write (EntryDraft.transfer) on SQLite. Synchronous: it runs inside the
 * ledger's better-sqlite3 posting transaction, so its reads and writes commit or roll back with
 * the entry's.
 */
export interface SqliteCompanion<T extends EntryTransfer> {
  /** Why the write cannot be made now, or null; read inside the posting transaction. */
  refusal(transfer: T): TransferRefusal | null;
  /** Makes the write for the posted `entry`; throws LedgerInvariantError when a conditional write misses (the batch rolls back). */
  apply(transfer: T, entry: JournalEntry): void;
}

/** The companion of every transfer kind, provided by the stores that own those records. */
export type SqliteEntryCompanions = { [K in EntryTransfer['kind']]: SqliteCompanion<Extract<EntryTransfer, { kind: K }>> };

/** The companions over the one SQLite file (the market's listings and purchases live beside the ledger). */
export function createSqliteEntryCompanions(db: SqliteDb): SqliteEntryCompanions {
  return { market_sale: sqliteMarketSale(db) };
}
