import { describe, expect, it } from 'vitest';
import { judgeSupply } from '../../server/metrics/supply.js';
import { liftsOf } from '../../server/admin/lifts.js';
import { judgeAudit } from '../../server/ledger/audit.js';
import { adjustmentEntry } from '../../server/ledger/entries.js';
import { draftProblems, isGuarded } from '../../server/ledger/rules.js';
import { penaltyStanding } from '../../server/economy/rules/abuse.js';
import type { PenaltyRecord } from '../../server/abuse/ports.js';
import type { AdminAuditRecord } from '../../server/admin/ports.js';

const I = 'system:issuance';
const S = 'system:sink';
const A = 'system:adjustments';

describe('adjustment entries', () => {
  it('are balanced both ways against the unguarded adjustments account', () => {
    const up = adjustmentEntry('u1', 25, { idempotencyKey: 'admin:adjustment:r1', actorId: 'adm' });
    const down = adjustmentEntry('u1', -25, { idempotencyKey: 'admin:adjustment:r2', actorId: 'adm' });
    expect(up.legs).toEqual([{ account: A, amount: -25 }, { account: 'user:u1', amount: 25 }]);
    expect(down.legs).toEqual([{ account: A, amount: 25 }, { account: 'user:u1', amount: -25 }]);
    expect(draftProblems({ ...up, kind: 'adjustment' })).toEqual([]);
    expect(draftProblems({ ...down, kind: 'adjustment' })).toEqual([]);
    expect(isGuarded(A)).toBe(false);
    expect(isGuarded('user:u1')).toBe(true);
  });
});

describe('supply rule (audit and gauges agree)', () => {
  const facts = (issuance: number, sink: number, adjustments: number, users: number) => ({ system: { [I]: issuance, [S]: sink, [A]: adjustments }, userBalanceSum: users });

  it('counts net adjustments as minted when positive and burned when negative', () => {
    expect(judgeSupply(facts(-100, 30, -10, 80))).toEqual({ minted: 110, burned: 30, circulating: 80, ok: true });
    expect(judgeSupply(facts(-100, 30, 5, 65))).toEqual({ minted: 100, burned: 35, circulating: 65, ok: true });
    expect(judgeSupply(facts(-100, 30, 0, 71)).ok).toBe(false);
  });

  it('the audit reports the same figures from journal sums', () => {
    const report = judgeAudit({ entries: 3, unbalanced: [], journalSums: { [I]: -100, [S]: 30, [A]: -10, 'user:a': 80 }, balances: { [I]: -100, [S]: 30, [A]: -10, 'user:a': 80 } });
    expect(report).toMatchObject({ ok: true, minted: 110, burned: 30, userBalanceSum: 80 });
  });
});

describe('penalty lifts', () => {
  const T = Date.parse('2026-12-01T10:00:00.000Z');
  const pen = (id: string, action: PenaltyRecord['action'], atS: number, until: number | null = null): PenaltyRecord => ({
    id, userId: 'u', sequence: 1, action, severe: false, reason: 'r', actorId: 'a', requestId: id, suspendedUntil: until === null ? null : new Date(T + until * 1000), createdAt: new Date(T + atS * 1000),
  });
  const rec = (id: string, action: AdminAuditRecord['action'], atS: number, subjectId: string | null): AdminAuditRecord => ({
    id, action, actorId: 'adm', targetUserId: 'u', reason: 'r', requestId: id, subjectId, details: {}, createdAt: new Date(T + atS * 1000),
  });

  it('a penalty_lift lifts the penalty it names; a ban_lift lifts the bans recorded before it', () => {
    const penalties = [pen('p1', 'earning_suspension', 0, 86_400), pen('p2', 'account_ban', 10), pen('p3', 'account_ban', 30)];
    const lifts = liftsOf(penalties, [rec('01B', 'ban_lift', 20, null), rec('01A', 'penalty_lift', 5, 'p1')]);
    expect([...lifts]).toEqual([
      ['p1', new Date(T + 5000)],
      ['p2', new Date(T + 20_000)],
    ]);
    const standing = penaltyStanding(penalties.map((p) => ({ ...p, liftedAt: lifts.get(p.id) ?? null })));
    // p3 was recorded after the ban lift: the account is banned again.
    expect(standing).toEqual({ suspendedUntilMs: null, banned: true });
  });
});
