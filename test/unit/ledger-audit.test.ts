import { describe, expect, it } from 'vitest';
import { judgeAudit } from '../../server/ledger/audit.js';
import { ISSUANCE, SINK } from '../../server/ledger/ports.js';

describe('judgeAudit', () => {
  const healthy = {
    entries: 3,
    unbalanced: [],
    journalSums: { [ISSUANCE]: -100, [SINK]: 10, 'user:a': 60, 'user:b': 30 },
    balances: { [ISSUANCE]: -100, [SINK]: 10, 'user:a': 60, 'user:b': 30 },
  };

  it('passes a consistent ledger and reports supply', () => {
    expect(judgeAudit(healthy)).toEqual({ ok: true, entries: 3, accounts: 4, minted: 100, burned: 10, userBalanceSum: 90, violations: [] });
  });

  it('flags an unbalanced entry', () => {
    const r = judgeAudit({ ...healthy, unbalanced: [{ entryId: 'e1', sum: 3 }] });
    expect(r.ok).toBe(false);
    expect(r.violations).toEqual([{ rule: 'entry_not_balanced', entryId: 'e1', expected: 0, actual: 3 }]);
  });

  it('flags a cached balance that differs from the journal, and the totals it breaks', () => {
    const r = judgeAudit({ ...healthy, balances: { ...healthy.balances, 'user:a': 61 } });
    expect(r.violations).toContainEqual({ rule: 'balance_mismatch', account: 'user:a', expected: 60, actual: 61 });
    expect(r.violations).toContainEqual({ rule: 'total_not_zero', expected: 0, actual: 1 });
    expect(r.violations).toContainEqual({ rule: 'supply_mismatch', expected: 90, actual: 91 });
  });

  it('flags a negative user balance and an account missing from the cache', () => {
    const r = judgeAudit({
      entries: 1,
      unbalanced: [],
      journalSums: { [ISSUANCE]: 5, 'user:a': -5 },
      balances: { [ISSUANCE]: 5 },
    });
    expect(r.violations).toContainEqual({ rule: 'balance_mismatch', account: 'user:a', expected: -5, actual: 0 });
    const neg = judgeAudit({ entries: 1, unbalanced: [], journalSums: { [ISSUANCE]: 5, 'user:a': -5 }, balances: { [ISSUANCE]: 5, 'user:a': -5 } });
    expect(neg.violations).toEqual([{ rule: 'negative_user_balance', account: 'user:a', actual: -5 }]);
  });
});
