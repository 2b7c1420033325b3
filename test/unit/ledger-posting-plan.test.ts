import { describe, expect, it } from 'vitest';
import { ISSUANCE, SINK, userAccount, type AccountState, type JournalEntry } from '../../server/ledger/ports.js';
import { earnEntry, giftEntry, refundEntry, spendEntry, tradeEntry, type DraftInput } from '../../server/ledger/entries.js';
import { accountsOf, assertPostable, assertWriteReadBack, keysOf, planPosting, type AccountSnapshot } from '../../server/ledger/posting-plan.js';
import { LedgerInvariantError, ZERO_ACCOUNT } from '../../server/ledger/rules.js';

/** The planner is pure: every posting rule is checked here once, without a store. */

let n = 0;
const stamp = (d: DraftInput): JournalEntry => ({ ...d, id: `e${String(++n).padStart(4, '0')}`, createdAt: new Date('2026-01-05T12:00:00Z') });
const balance = (b: number): AccountSnapshot => ({ state: { ...ZERO_ACCOUNT, balance: b }, carryNanos: 0 });
const inputs = (accounts: Record<string, AccountSnapshot> = {}, existing: JournalEntry[] = []) => ({
  accounts: new Map(Object.entries(accounts)),
  existing: new Map(existing.map((e) => [e.idempotencyKey, e])),
});
const state = (s: Partial<AccountState>): AccountState => ({ ...ZERO_ACCOUNT, ...s });

describe('posting planner', () => {
  it('sums a batch of awards into one write per account: issuance once, however many entries', () => {
    const batch = Array.from({ length: 100 }, (_, i) => stamp(earnEntry(`u${i % 3}`, 2, { idempotencyKey: `k${i}`, activity: 'send_message' })));
    const plan = planPosting(batch, inputs({ [ISSUANCE]: balance(-50) }));
    expect(plan.outcomes.every((o) => o.status === 'posted')).toBe(true);
    expect(plan.inserts).toHaveLength(100);
    expect(plan.writes.map((w) => w.account)).toEqual([ISSUANCE, userAccount('u0'), userAccount('u1'), userAccount('u2')]);
    const issuance = plan.writes[0]!;
    expect(issuance).toMatchObject({ before: state({ balance: -50 }), delta: state({ balance: -200 }), after: state({ balance: -250 }) });
    expect(issuance.guardMin).toBeUndefined();
    expect(plan.writes[1]).toMatchObject({ before: null, delta: state({ balance: 68, totalEarned: 68 }), after: state({ balance: 68, totalEarned: 68 }) });
  });

  it('judges each draft against the ones before it: guard, duplicate in and before the batch', () => {
    const old = stamp(earnEntry('x', 1, { idempotencyKey: 'old', activity: 'a' }));
    const batch = [
      stamp(giftEntry('a', 'b', 6, { idempotencyKey: 'g1' })),
      stamp(giftEntry('a', 'c', 5, { idempotencyKey: 'g2' })),
      stamp(giftEntry('b', 'a', 6, { idempotencyKey: 'g3' })),
      stamp(giftEntry('a', 'b', 6, { idempotencyKey: 'g1' })),
      stamp(earnEntry('x', 9, { idempotencyKey: 'old', activity: 'a' })),
      // A refused key is not taken: its retry is judged afresh (a is back at 10).
      stamp(giftEntry('a', 'c', 5, { idempotencyKey: 'g2' })),
    ];
    const plan = planPosting(batch, inputs({ [userAccount('a')]: balance(10) }, [old]));
    expect(plan.outcomes.map((o) => o.status)).toEqual(['posted', 'insufficient_funds', 'posted', 'duplicate', 'duplicate', 'posted']);
    expect(plan.outcomes[1]).toEqual({ status: 'insufficient_funds', account: userAccount('a'), balance: 4, needed: 5 });
    expect(plan.outcomes[3]).toEqual({ status: 'duplicate', entry: expect.objectContaining({ id: batch[0]!.id }) });
    expect(plan.outcomes[4]).toEqual({ status: 'duplicate', entry: old });
    expect(plan.inserts.map((e) => e.id)).toEqual([batch[0]!.id, batch[2]!.id, batch[5]!.id]);
    expect(plan.guardMisses).toEqual([userAccount('a')]);
    const a = plan.writes.find((w) => w.account === userAccount('a'))!;
    // a: 10 - 6 + 6 - 5 = 5; the row must have held 6 at the start for the debits to pass.
    expect(a).toMatchObject({ delta: state({ balance: -5, totalGifted: 11, totalReceived: 6 }), after: state({ balance: 5, totalGifted: 11, totalReceived: 6 }), guardMin: 6 });
    expect(plan.writes.find((w) => w.account === userAccount('c'))).toMatchObject({ before: null, after: state({ balance: 5, totalReceived: 5 }) });
  });

  it('keeps a draft floor under its user balance (gift vesting), in the decision and in the guard', () => {
    const withFloor = (d: DraftInput, minBalance: number): DraftInput => ({ ...d, floor: { userId: 'a', minBalance } });
    const batch = [
      stamp(withFloor(giftEntry('a', 'b', 4, { idempotencyKey: 'f1' }), 5)),
      stamp(withFloor(giftEntry('a', 'c', 2, { idempotencyKey: 'f2' }), 5)),
      // The floor is a's alone: b's debit is guarded at zero as always.
      stamp(withFloor(giftEntry('b', 'c', 4, { idempotencyKey: 'f3' }), 5)),
    ];
    const plan = planPosting(batch, inputs({ [userAccount('a')]: balance(10) }));
    expect(plan.outcomes.map((o) => o.status)).toEqual(['posted', 'insufficient_funds', 'posted']);
    expect(plan.outcomes[1]).toEqual({ status: 'insufficient_funds', account: userAccount('a'), balance: 6, needed: 2, floor: 5 });
    // a must have held 4 + 5 at the start for the posted gift to keep the floor.
    expect(plan.writes.find((w) => w.account === userAccount('a'))).toMatchObject({ after: state({ balance: 6, totalGifted: 4 }), guardMin: 9 });
    expect(plan.inserts.every((e) => !('floor' in e))).toBe(true);
  });

  it('reports the touched user accounts as they stand after each posted entry', () => {
    const plan = planPosting(
      [stamp(earnEntry('a', 3, { idempotencyKey: 'e1', activity: 'x' })), stamp(spendEntry('a', 2, { idempotencyKey: 's1', activity: 'shop:x' }))],
      inputs(),
    );
    const [first, second] = plan.outcomes;
    expect(first?.status === 'posted' && first.accounts).toEqual({ a: state({ balance: 3, totalEarned: 3 }) });
    expect(second?.status === 'posted' && second.accounts).toEqual({ a: state({ balance: 1, totalEarned: 3, totalSpent: 2 }) });
    expect(plan.writes.find((w) => w.account === SINK)).toMatchObject({ before: null, delta: state({ balance: 2 }) });
  });

  it("guards the sink's debits with the batch's earlier sink credits", () => {
    const plan = planPosting(
      [
        stamp(refundEntry('a', 1, { idempotencyKey: 'r0' })),
        stamp(spendEntry('a', 4, { idempotencyKey: 's1', activity: 'shop:x' })),
        stamp(refundEntry('a', 3, { idempotencyKey: 'r1' })),
        stamp(refundEntry('a', 2, { idempotencyKey: 'r2' })),
      ],
      inputs({ [userAccount('a')]: balance(4) }),
    );
    expect(plan.outcomes.map((o) => o.status)).toEqual(['insufficient_funds', 'posted', 'posted', 'insufficient_funds']);
    expect(plan.guardMisses).toEqual([SINK]);
    expect(plan.writes.find((w) => w.account === SINK)).toMatchObject({ delta: state({ balance: 1 }), after: state({ balance: 1 }) });
  });

  it('refuses a stale carry for that draft alone, and a later carry sees the batch', () => {
    const award = (k: string, nanos: number, expectedNanos?: number) => ({
      ...stamp(earnEntry('a', 1, { idempotencyKey: k, activity: 'x' })),
      carry: expectedNanos === undefined ? { userId: 'a', nanos } : { userId: 'a', nanos, expectedNanos },
    });
    const plan = planPosting([award('c1', 10, 7), award('c2', 20, 7), award('c3', 30, 10), award('c4', 40)], inputs({ [userAccount('a')]: { state: ZERO_ACCOUNT, carryNanos: 7 } }));
    expect(plan.outcomes.map((o) => o.status)).toEqual(['posted', 'carry_conflict', 'posted', 'posted']);
    expect(plan.outcomes[1]).toEqual({ status: 'carry_conflict', userId: 'a', expected: 7, actual: 10 });
    expect(plan.writes.find((w) => w.account === userAccount('a'))).toMatchObject({ carryNanos: 40, after: state({ balance: 3, totalEarned: 3 }) });
    // The journal never holds a carry.
    expect(plan.inserts.every((e) => !('carry' in e))).toBe(true);
  });

  it('writes nothing for a batch that posts nothing', () => {
    const plan = planPosting([stamp(giftEntry('a', 'b', 1, { idempotencyKey: 'g' }))], inputs());
    expect(plan).toMatchObject({ inserts: [], writes: [], guardMisses: [userAccount('a')] });
  });

  it('lists what an adapter must read, and refuses a malformed batch before any read', () => {
    const batch = [stamp(giftEntry('b', 'a', 1, { idempotencyKey: 'k' })), stamp(earnEntry('a', 1, { idempotencyKey: 'k', activity: 'x' }))];
    expect(accountsOf(batch)).toEqual([ISSUANCE, userAccount('a'), userAccount('b')]);
    expect(keysOf(batch)).toEqual(['k']);
    const bad = stamp({ ...earnEntry('a', 1, { idempotencyKey: 'bad', activity: 'x' }), legs: [{ account: ISSUANCE, amount: -1 }, { account: userAccount('a'), amount: 2 }] });
    expect(() => assertPostable([batch[0]!, bad])).toThrow(/legs_not_balanced/);
  });

  it('checks a read-back against the planned row, balance and carry', () => {
    const [write] = planPosting([{ ...stamp(earnEntry('a', 2, { idempotencyKey: 'k', activity: 'x' })), carry: { userId: 'a', nanos: 5 } }], inputs()).writes.filter(
      (w) => w.account === userAccount('a'),
    );
    expect(() => assertWriteReadBack(write!, state({ balance: 2, totalEarned: 2 }), 5)).not.toThrow();
    expect(() => assertWriteReadBack(write!, state({ balance: 3, totalEarned: 2 }), 5)).toThrow(LedgerInvariantError);
    expect(() => assertWriteReadBack(write!, state({ balance: 2, totalEarned: 2 }), 0)).toThrow(/carry/);
  });

  it('decides companion writes: a refused verdict or an item an earlier draft moves is transfer_refused; posted ones are planned, not journalled', () => {
    const sale = (key: string, listingId: string, buyerId: string): JournalEntry =>
      stamp({
        ...tradeEntry(buyerId, 's', 10, 1, { idempotencyKey: key }),
        transfer: { kind: 'market_sale', listingId, purchaseId: 'P1', sellerId: 's', buyerId, claimRequestId: 'r' },
      });
    const [first, second, refused] = [sale('k1', 'L1', 'b1'), sale('k2', 'L2', 'b2'), sale('k3', 'L3', 'b3')];
    const funded = { [userAccount('b1')]: balance(10), [userAccount('b2')]: balance(10), [userAccount('b3')]: balance(10) };
    const verdicts = new Map([[first.id, null], [second.id, null], [refused.id, 'item_gone' as const]]);
    const plan = planPosting([first, second, refused], { ...inputs(funded), transfers: verdicts });
    // The second names the purchase the first moves in this batch: the read before the batch no longer holds.
    expect(plan.outcomes.map((o) => (o.status === 'transfer_refused' ? o.reason : o.status))).toEqual(['posted', 'item_gone', 'item_gone']);
    expect(plan.transfers).toEqual([{ entry: plan.inserts[0], transfer: first.transfer }]);
    expect(plan.inserts[0]).not.toHaveProperty('transfer');
    expect(plan.writes.map((w) => w.account)).toEqual([SINK, userAccount('b1'), userAccount('s')]);
    // An adapter that did not check a transfer breaks an invariant rather than posting it unchecked.
    expect(() => planPosting([sale('k4', 'L4', 'b1')], inputs(funded))).toThrow(LedgerInvariantError);
    // A transfer rides only on the trade that pays for it.
    expect(() => assertPostable([{ ...stamp(earnEntry('b1', 1, { idempotencyKey: 'k5', activity: 'x' })), transfer: first.transfer! }])).toThrow(/invalid transfer/);
  });
});
