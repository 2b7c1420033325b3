import { ISSUANCE, SINK, type AuditReport, type AuditViolation } from './ports.js';
import { isUserAccount } from './rules.js';

/** What a store gathers from its tables for the audit; the judgement below is the same for both. */
export interface AuditFacts {
  entries: number;
  /** Entries whose legs do not sum to zero (a healthy journal has none). */
  unbalanced: ReadonlyArray<{ entryId: string; sum: number }>;
  /** Per account: the sum of its legs over the whole journal. */
  journalSums: Readonly<Record<string, number>>;
  /** Per account: the cached balance. */
  balances: Readonly<Record<string, number>>;
}

/**
 * Checks the ledger's invariants: each entry sums to zero; all balances sum to zero; no user
 * balance is negative; each cached balance equals its journal sum; minted minus burned equals
 * the sum of user balances (minted = what issuance has paid out, burned = what the sink holds).
 */
export function judgeAudit(facts: AuditFacts): AuditReport {
  const violations: AuditViolation[] = [];
  for (const u of facts.unbalanced) violations.push({ rule: 'entry_not_balanced', entryId: u.entryId, expected: 0, actual: u.sum });

  const accounts = new Set([...Object.keys(facts.journalSums), ...Object.keys(facts.balances)]);
  let total = 0;
  let userBalanceSum = 0;
  for (const account of [...accounts].sort()) {
    const balance = facts.balances[account] ?? 0;
    const journal = facts.journalSums[account] ?? 0;
    total += balance;
    if (isUserAccount(account)) {
      userBalanceSum += balance;
      if (balance < 0) violations.push({ rule: 'negative_user_balance', account, actual: balance });
    }
    if (balance !== journal) violations.push({ rule: 'balance_mismatch', account, expected: journal, actual: balance });
  }
  if (total !== 0) violations.push({ rule: 'total_not_zero', expected: 0, actual: total });

  const minted = -(facts.journalSums[ISSUANCE] ?? 0);
  const burned = facts.journalSums[SINK] ?? 0;
  if (minted - burned !== userBalanceSum) violations.push({ rule: 'supply_mismatch', expected: minted - burned, actual: userBalanceSum });

  return { ok: violations.length === 0, entries: facts.entries, accounts: accounts.size, minted, burned, userBalanceSum, violations };
}

/**
 * Gathers the journal's half of AuditFacts one entry at a time, for a store that pages through
 * the journal instead of asking its database to group the whole of it at once.
 */
export class JournalTally {
  entries = 0;
  readonly unbalanced: Array<{ entryId: string; sum: number }> = [];
  readonly journalSums: Record<string, number> = {};

  add(entryId: string, legs: ReadonlyArray<{ account: string; amount: number }>): void {
    this.entries++;
    let sum = 0;
    for (const leg of legs) {
      sum += leg.amount;
      this.journalSums[leg.account] = (this.journalSums[leg.account] ?? 0) + leg.amount;
    }
    if (sum !== 0 || legs.length < 2) this.unbalanced.push({ entryId, sum });
  }
}
