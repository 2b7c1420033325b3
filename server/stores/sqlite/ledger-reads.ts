import { ISSUANCE, SINK, ADJUSTMENTS } from '../../ledger/ports.js';
import type { FundedAccountSource } from '../../abuse/decay-candidates.js';
import type { SupplySource } from '../../metrics/supply.js';
import type { LedgerReads } from '../ledger-reads.js';
import { USER_ACCOUNT_PREFIX, systemBalances } from '../ledger-rows.js';
import type { SqliteDb } from './db.js';

/**
 * The ledger's listing reads on SQLite: the supply facts in one read transaction, the decay job's
 * funded accounts by primary key range. Read-only over `ledger_accounts`.
 */
export function createSqliteLedgerReads(db: SqliteDb): LedgerReads {
  const supply = db.transaction(() => {
    const exists = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'ledger_accounts'").get()!.n > 0;
    if (!exists) return { system: { [ISSUANCE]: 0, [SINK]: 0, [ADJUSTMENTS]: 0 }, userBalanceSum: 0 };
    const rows = db.prepare<[], { account: string; balance: number }>("SELECT account, balance FROM ledger_accounts WHERE account >= 'system:' AND account < 'system;'").all();
    // The same key range the ledger store uses for user accounts, so the primary key serves it.
    const users = db.prepare<[], { total: number }>("SELECT COALESCE(SUM(balance), 0) AS total FROM ledger_accounts WHERE account >= 'user:' AND account < 'user;'").get()!.total;
    return { system: systemBalances(rows.map((r) => [r.account, r.balance])), userBalanceSum: users };
  });
  const fundedAccounts: FundedAccountSource = async (after, limit) => {
    const rows = db
      .prepare<[string, number], { account: string; balance: number }>(
        `SELECT account, balance FROM ledger_accounts WHERE account > ? AND account LIKE 'user:%' AND balance > 0 ORDER BY account LIMIT ?`,
      )
      .all(`${USER_ACCOUNT_PREFIX}${after}`, limit);
    return rows.map((r) => ({ userId: r.account.slice(USER_ACCOUNT_PREFIX.length), balance: r.balance }));
  };
  const supplySource: SupplySource = async () => supply();
  return { supply: supplySource, fundedAccounts };
}
