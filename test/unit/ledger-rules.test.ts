import { describe, expect, it } from 'vitest';
import { ISSUANCE, SINK, userAccount, type EntryKind, type Leg } from '../../server/ledger/ports.js';
import {
  LEG_AMOUNT_MAX,
  LEGS_PER_ENTRY_MAX,
  LedgerInvariantError,
  applyLeg,
  assertSameLegs,
  assertValidDraft,
  counterDelta,
  draftProblems,
  idempotencyKeys,
  isGuarded,
} from '../../server/ledger/rules.js';
import { awardEntry, earnEntry, giftEntry, grantEntry, refundEntry, spendEntry } from '../../server/ledger/entries.js';

const u = (id: string) => userAccount(id);
const draft = (kind: EntryKind, legs: Leg[], idempotencyKey = 'k') => ({ kind, legs, idempotencyKey });

describe('draftProblems', () => {
  it('accepts every builder', () => {
    for (const d of [
      earnEntry('a', 5, { idempotencyKey: 'k', activity: 'send_message' }),
      grantEntry('a', 5, { idempotencyKey: 'k', actorId: 'm', roomId: 'r' }),
      awardEntry('a', 5, { idempotencyKey: 'k', actorId: 'admin' }),
      giftEntry('a', 'b', 5, { idempotencyKey: 'k' }),
      spendEntry('a', 5, { idempotencyKey: 'k', activity: 'shop:x' }),
      spendEntry('a', 5, { idempotencyKey: 'k', activity: 'abuse' }, 'penalty'),
      spendEntry('a', 5, { idempotencyKey: 'k', activity: 'inactive' }, 'decay'),
      refundEntry('a', 5, { idempotencyKey: 'k' }),
    ]) {
      expect(draftProblems(d), d.kind).toEqual([]);
    }
  });

  it('refuses empty, single-leg and unbalanced entries', () => {
    expect(draftProblems(draft('earn', []))).toContain('no_legs');
    expect(draftProblems(draft('adjustment', [{ account: u('a'), amount: 5 }]))).toContain('legs_not_balanced');
    expect(draftProblems(draft('earn', [{ account: ISSUANCE, amount: -5 }, { account: u('a'), amount: 4 }]))).toContain('legs_not_balanced');
  });

  it('refuses zero, fractional, non-finite and oversized amounts', () => {
    expect(draftProblems(draft('earn', [{ account: ISSUANCE, amount: 0 }, { account: u('a'), amount: 0 }]))).toContain('amount_zero');
    expect(draftProblems(draft('earn', [{ account: ISSUANCE, amount: -1.5 }, { account: u('a'), amount: 1.5 }]))).toContain('amount_not_integer');
    expect(draftProblems(draft('earn', [{ account: ISSUANCE, amount: -Infinity }, { account: u('a'), amount: Infinity }]))).toContain('amount_not_integer');
    expect(draftProblems(draft('earn', [{ account: ISSUANCE, amount: NaN }, { account: u('a'), amount: NaN }]))).toContain('amount_not_integer');
    const big = LEG_AMOUNT_MAX + 1;
    expect(draftProblems(draft('earn', [{ account: ISSUANCE, amount: -big }, { account: u('a'), amount: big }]))).toContain('amount_too_large');
    expect(draftProblems(earnEntry('a', LEG_AMOUNT_MAX, { idempotencyKey: 'k', activity: 'x' }))).toEqual([]);
  });

  it('refuses an account repeated in one entry, unknown accounts, and too many legs', () => {
    expect(draftProblems(giftEntry('a', 'a', 5, { idempotencyKey: 'k' }))).toContain('account_repeated');
    expect(draftProblems(draft('adjustment', [{ account: 'bank' as never, amount: -1 }, { account: u('a'), amount: 1 }]))).toContain('bad_account');
    expect(draftProblems(draft('adjustment', [{ account: 'user:' as never, amount: -1 }, { account: u('a'), amount: 1 }]))).toContain('bad_account');
    const legs: Leg[] = [{ account: ISSUANCE, amount: -(LEGS_PER_ENTRY_MAX) }];
    for (let i = 0; i < LEGS_PER_ENTRY_MAX; i++) legs.push({ account: u(`x${i}`), amount: 1 });
    expect(draftProblems(draft('earn', legs))).toContain('too_many_legs');
  });

  it('refuses legs that do not fit the kind', () => {
    // Minting must come from issuance, gifts move between users only, spends go to the sink.
    expect(draftProblems(draft('earn', [{ account: u('b'), amount: -5 }, { account: u('a'), amount: 5 }]))).toContain('kind_shape');
    expect(draftProblems(draft('gift', [{ account: ISSUANCE, amount: -5 }, { account: u('a'), amount: 5 }]))).toContain('kind_shape');
    expect(draftProblems(draft('spend', [{ account: u('a'), amount: -5 }, { account: u('b'), amount: 5 }]))).toContain('kind_shape');
    expect(draftProblems(draft('refund', [{ account: ISSUANCE, amount: -5 }, { account: u('a'), amount: 5 }]))).toContain('kind_shape');
    expect(draftProblems(draft('award', [{ account: ISSUANCE, amount: -5 }, { account: SINK, amount: 5 }]))).toContain('kind_shape');
    expect(draftProblems(draft('adjustment', [{ account: SINK, amount: -5 }, { account: ISSUANCE, amount: 5 }]))).toEqual([]);
  });

  it('refuses an empty or overlong idempotency key and an unknown kind', () => {
    expect(draftProblems(earnEntry('a', 1, { idempotencyKey: '', activity: 'x' }))).toContain('bad_idempotency_key');
    expect(draftProblems(earnEntry('a', 1, { idempotencyKey: 'k'.repeat(201), activity: 'x' }))).toContain('bad_idempotency_key');
    expect(draftProblems(draft('mint' as EntryKind, [{ account: ISSUANCE, amount: -1 }, { account: u('a'), amount: 1 }]))).toContain('unknown_kind');
  });

  it('assertValidDraft throws a LedgerInvariantError naming the problems', () => {
    expect(() => assertValidDraft(draft('earn', []))).toThrow(LedgerInvariantError);
    expect(() => assertValidDraft(draft('earn', []))).toThrow(/no_legs/);
  });
});

describe('counter rules', () => {
  it('counts minted credits as earned, gifts and room rewards as gifted/received, spends as spent', () => {
    expect(counterDelta('earn', 5)).toEqual({ totalEarned: 5, totalSpent: 0, totalGifted: 0, totalReceived: 0 });
    // A room reward is decided by another user: received, never earned (issue 9: tiers cannot be borrowed).
    expect(counterDelta('grant', 5)).toEqual({ totalEarned: 0, totalSpent: 0, totalGifted: 0, totalReceived: 5 });
    expect(counterDelta('award', 5).totalEarned).toBe(5);
    expect(counterDelta('gift', -5)).toEqual({ totalEarned: 0, totalSpent: 0, totalGifted: 5, totalReceived: 0 });
    expect(counterDelta('gift', 5)).toEqual({ totalEarned: 0, totalSpent: 0, totalGifted: 0, totalReceived: 5 });
    expect(counterDelta('spend', -5)).toEqual({ totalEarned: 0, totalSpent: 5, totalGifted: 0, totalReceived: 0 });
  });

  it('leaves the counters alone for refunds, penalties, decay and adjustments', () => {
    const zero = { totalEarned: 0, totalSpent: 0, totalGifted: 0, totalReceived: 0 };
    expect(counterDelta('refund', 5)).toEqual(zero);
    expect(counterDelta('penalty', -5)).toEqual(zero);
    expect(counterDelta('decay', -5)).toEqual(zero);
    expect(counterDelta('adjustment', 5)).toEqual(zero);
    expect(counterDelta('adjustment', -5)).toEqual(zero);
  });

  it('applyLeg moves the balance and the counters of the kind (read-back checks: ledger-posting-plan.test.ts)', () => {
    const before = { balance: 10, totalEarned: 10, totalSpent: 0, totalGifted: 0, totalReceived: 0 };
    expect(applyLeg(before, 'gift', -4)).toEqual({ balance: 6, totalEarned: 10, totalSpent: 0, totalGifted: 4, totalReceived: 0 });
    expect(applyLeg(before, 'adjustment', -11)).toEqual({ ...before, balance: -1 });
  });

  it('guards every account but issuance', () => {
    expect(isGuarded(ISSUANCE)).toBe(false);
    expect(isGuarded(SINK)).toBe(true);
    expect(isGuarded(u('a'))).toBe(true);
  });

  it('assertSameLegs accepts the same legs in any order and refuses different ones', () => {
    const written = giftEntry('a', 'b', 5, { idempotencyKey: 'k' });
    expect(() => assertSameLegs(written, { legs: [...written.legs].reverse() })).not.toThrow();
    expect(() => assertSameLegs(written, { legs: [{ account: u('a'), amount: -5 }] })).toThrow(LedgerInvariantError);
    expect(() => assertSameLegs(written, { legs: [{ account: u('a'), amount: -5 }, { account: u('b'), amount: 6 }] })).toThrow(/different legs/);
  });
});

describe('idempotency keys', () => {
  it('derive awards from the event and scope client requests by user', () => {
    expect(idempotencyKeys.sendMessage('m1')).toBe('earn:send_message:m1');
    expect(idempotencyKeys.joinRoom('u1', 'r1')).toBe('earn:join_room:u1:r1');
    expect(idempotencyKeys.dailyLogin('u1', '2026-01-05')).toBe('earn:daily_login:u1:2026-01-05');
    expect(idempotencyKeys.earn('share_file', 'f1')).toBe('earn:share_file:f1');
    expect(idempotencyKeys.gift('s1', 'req')).toBe('gift:s1:req');
    expect(idempotencyKeys.award('admin', 'req')).not.toBe(idempotencyKeys.award('other', 'req'));
  });
});
