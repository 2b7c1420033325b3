import type { Connection } from 'mongoose';
import type { FundedAccountSource } from '../../abuse/decay-candidates.js';
import type { SupplyFacts, SupplySource } from '../../metrics/supply.js';
import type { LedgerReads } from '../ledger-reads.js';
import { USER_ACCOUNT_PREFIX, systemBalances } from '../ledger-rows.js';

/**
 * The ledger's listing reads on MongoDB: the supply facts as two snapshot reads at one point in
 * time, the decay job's funded accounts by `_id` range.
 *
 * The supply's second read aggregates over every user account, so it grows with the user count;
 * inside a multi-document transaction it would hold the transaction open and meet the 60 s
 * transaction limit (issue 15, item 5). A snapshot session (MongoDB 5.0+) gives the same
 * consistency without one: the driver sends `readConcern: { level: 'snapshot' }` with the first
 * read and the `atClusterTime` that read answered with on every later read of the session, so the
 * system rows and the user sum are of one instant, and nothing is locked or aborted.
 */
export function createMongoLedgerReads(connection: Connection): LedgerReads {
  const accounts = connection.collection<{ _id: string; balance: number }>('ledger_accounts');
  const supply: SupplySource = async (): Promise<SupplyFacts> => {
    const session = await connection.startSession({ snapshot: true });
    try {
      const rows = await accounts.find({ _id: /^system:/ }, { session, projection: { balance: 1 } }).toArray();
      const [users] = await accounts
        .aggregate<{ total: number }>([{ $match: { _id: /^user:/ } }, { $group: { _id: null, total: { $sum: '$balance' } } }], { session })
        .toArray();
      return { system: systemBalances(rows.map((r) => [r._id, r.balance])), userBalanceSum: users?.total ?? 0 };
    } finally {
      await session.endSession();
    }
  };
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
