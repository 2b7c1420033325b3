import { ADJUSTMENTS, ISSUANCE, SINK } from '../ledger/ports.js';
import type { Backend } from '../stores/backend.js';
import type { SupplyFacts, SupplySource } from './supply.js';

const SYSTEM_ACCOUNTS = [ISSUANCE, SINK, ADJUSTMENTS] as const;

/**
 * Reads the supply facts from the ledger's account rows (`ledger_accounts` on both backends), in
 * one consistent snapshot: a SQLite read transaction, a MongoDB snapshot transaction. A read of
 * the cached balances only, kept here rather than on the LedgerStore port because only the
 * metrics need it.
 */
export async function supplySource(backend: Backend): Promise<SupplySource> {
  if (backend.kind === 'sqlite') {
    const db = backend.db;
    const read = db.transaction((): SupplyFacts => {
      const exists = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'ledger_accounts'").get()!.n > 0;
      if (!exists) return { system: { [ISSUANCE]: 0, [SINK]: 0, [ADJUSTMENTS]: 0 }, userBalanceSum: 0 };
      const rows = db.prepare<[], { account: string; balance: number }>("SELECT account, balance FROM ledger_accounts WHERE account >= 'system:' AND account < 'system;'").all();
      // The same key range the ledger store uses for user accounts, so the primary key serves it.
      const users = db.prepare<[], { total: number }>("SELECT COALESCE(SUM(balance), 0) AS total FROM ledger_accounts WHERE account >= 'user:' AND account < 'user;'").get()!.total;
      return { system: systemBalances(rows.map((r) => [r.account, r.balance])), userBalanceSum: users };
    });
    return async () => read();
  }
  const { runInTransaction } = await import('../stores/mongo/transaction.js');
  const connection = backend.connection;
  const accounts = connection.collection<{ _id: string; balance: number }>('ledger_accounts');
  return () =>
    runInTransaction(connection, async (session): Promise<SupplyFacts> => {
      const rows = await accounts.find({ _id: /^system:/ }, { session, projection: { balance: 1 } }).toArray();
      const [users] = await accounts
        .aggregate<{ total: number }>([{ $match: { _id: /^user:/ } }, { $group: { _id: null, total: { $sum: '$balance' } } }], { session })
        .toArray();
      return { system: systemBalances(rows.map((r) => [r._id, r.balance])), userBalanceSum: users?.total ?? 0 };
    });
}

/**
 * Sums the system rows per account. A row `system:issuance` counts, and so would rows an adapter
 * splits one account into (`system:issuance:<n>`, to keep a hot balance off one document): the
 * gauges stay right whichever way the ledger stores its system accounts.
 */
function systemBalances(rows: ReadonlyArray<[string, number]>): SupplyFacts['system'] {
  const out: SupplyFacts['system'] = { [ISSUANCE]: 0, [SINK]: 0, [ADJUSTMENTS]: 0 };
  for (const [account, balance] of rows) {
    const base = SYSTEM_ACCOUNTS.find((a) => account === a || account.startsWith(`${a}:`));
    if (base) out[base] += balance;
  }
  return out;
}
