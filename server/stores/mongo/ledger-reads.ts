import type { Connection } from 'mongoose';
import type { FundedAccountSource } from '../../abuse/decay-candidates.js';
import type { SupplyFacts, SupplySource } from '../../metrics/supply.js';
import type { LedgerReads } from '../ledger-reads.js';
import { USER_ACCOUNT_PREFIX, systemBalances } from '../ledger-rows.js';
import { runInTransaction } from './transaction.js';

/**
 * The ledger's listing reads on MongoDB: the supply facts in one snapshot transaction (two small
 * reads of cached balances), the decay job's funded accounts by `_id` range.
 */
export function createMongoLedgerReads(connection: Connection): LedgerReads {
  const accounts = connection.collection<{ _id: string; balance: number }>('ledger_accounts');
  const supply: SupplySource = () =>
    runInTransaction(connection, async (session): Promise<SupplyFacts> => {
      const rows = await accounts.find({ _id: /^system:/ }, { session, projection: { balance: 1 } }).toArray();
      const [users] = await accounts
        .aggregate<{ total: number }>([{ $match: { _id: /^user:/ } }, { $group: { _id: null, total: { $sum: '$balance' } } }], { session })
        .toArray();
      return { system: systemBalances(rows.map((r) => [r._id, r.balance])), userBalanceSum: users?.total ?? 0 };
    });
  const fundedAccounts: FundedAccountSource = async (after, limit) => {
    const docs = await accounts
      .find({ _id: { $gt: `${USER_ACCOUNT_PREFIX}${after}`, $regex: /^user:/ }, balance: { $gt: 0 } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => ({ userId: d._id.slice(USER_ACCOUNT_PREFIX.length), balance: d.balance }));
  };
  return { supply, fundedAccounts };
}
