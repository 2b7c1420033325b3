import type { Backend } from '../stores/backend.js';

/** A user account that holds tokens. */
export interface FundedAccount {
  userId: string;
  balance: number;
}

const USER_PREFIX = 'user:';

/**
 * User accounts with a positive balance, by account id after `after`, at most `limit`. A read of
 * the ledger's own account tables (`ledger_accounts` on both backends), read-only: the ledger port
 * has no listing, and only the decay job needs one.
 */
export async function fundedAccounts(backend: Backend, after: string, limit: number): Promise<FundedAccount[]> {
  const afterAccount = `${USER_PREFIX}${after}`;
  if (backend.kind === 'sqlite') {
    const rows = backend.db
      .prepare<[string, number], { account: string; balance: number }>(
        `SELECT account, balance FROM ledger_accounts WHERE account > ? AND account LIKE 'user:%' AND balance > 0 ORDER BY account LIMIT ?`,
      )
      .all(afterAccount, limit);
    return rows.map((r) => ({ userId: r.account.slice(USER_PREFIX.length), balance: r.balance }));
  }
  const docs = await backend.connection
    .collection<{ _id: string; balance: number }>('ledger_accounts')
    .find({ _id: { $gt: afterAccount, $regex: /^user:/ }, balance: { $gt: 0 } })
    .sort({ _id: 1 })
    .limit(limit)
    .toArray();
  return docs.map((d) => ({ userId: d._id.slice(USER_PREFIX.length), balance: d.balance }));
}
