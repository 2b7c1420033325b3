import type { ClientSession, Connection } from 'mongoose';
import type { EntryTransfer, JournalEntry, TransferRefusal } from '../../ledger/ports.js';
import { mongoMarketSale } from './market-sale.js';

/**
 * One kind of companion write (EntryDraft.transfer) on MongoDB. Every read and write goes through
 * the posting transaction's `session`, so it commits or aborts (and is re-run on a transient
 * error) with the entry's.
 */
export interface MongoCompanion<T extends EntryTransfer> {
  /** Why the write cannot be made now, or null; read in the transaction's snapshot. */
  refusal(transfer: T, session: ClientSession): Promise<TransferRefusal | null>;
  /** Makes the write for the posted `entry`; throws LedgerInvariantError when a conditional write misses (the transaction aborts). */
  apply(transfer: T, entry: JournalEntry, session: ClientSession): Promise<void>;
}

/** The companion of every transfer kind, provided by the stores that own those records. */
export type MongoEntryCompanions = { [K in EntryTransfer['kind']]: MongoCompanion<Extract<EntryTransfer, { kind: K }>> };

/** The companions over the one MongoDB database (listings and purchases beside the ledger). */
export function createMongoEntryCompanions(connection: Connection): MongoEntryCompanions {
  return { market_sale: mongoMarketSale(connection) };
}
