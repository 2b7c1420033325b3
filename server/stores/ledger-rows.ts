import { ADJUSTMENTS, ISSUANCE, SINK } from '../ledger/ports.js';
import type { SupplyFacts } from '../metrics/supply.js';

/** How both adapters name a user's account row in `ledger_accounts`. */
export const USER_ACCOUNT_PREFIX = 'user:';
const SYSTEM_ACCOUNTS = [ISSUANCE, SINK, ADJUSTMENTS] as const;

/**
 * Sums the system rows per account. A row `system:issuance` counts, and so would rows an adapter
 * splits one account into (`system:issuance:<n>`, to keep a hot balance off one document): the
 * gauges stay right whichever way the ledger stores its system accounts.
 */
export function systemBalances(rows: ReadonlyArray<[string, number]>): SupplyFacts['system'] {
  const out: SupplyFacts['system'] = { [ISSUANCE]: 0, [SINK]: 0, [ADJUSTMENTS]: 0 };
  for (const [account, balance] of rows) {
    const base = SYSTEM_ACCOUNTS.find((a) => account === a || account.startsWith(`${a}:`));
    if (base) out[base] += balance;
  }
  return out;
}
