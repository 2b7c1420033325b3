import { ADJUSTMENTS, ISSUANCE, SINK, type AccountId, type AccountState, type EntryDraft, type EntryKind, type EntryTransfer, type Leg, type TransferRefusal } from './ports.js';

/**
 * Pure ledger rules: what a valid entry looks like and how it moves the lifetime counters. No I/O;
 * both adapters and the service call these, before the write and again on what they read back.
 */

/** Largest amount one leg may move. Keeps every sum of legs and balances far inside 2^53. */
export const LEG_AMOUNT_MAX = 1_000_000_000_000;
/** A bound on every loop over legs: the largest entry is a batch payout, not a ledger dump. */
export const LEGS_PER_ENTRY_MAX = 64;
export const IDEMPOTENCY_KEY_MAX_CHARS = 200;

export const ENTRY_KINDS: readonly EntryKind[] = ['earn', 'gift', 'spend', 'refund', 'grant', 'award', 'penalty', 'decay', 'adjustment', 'trade'];

export const ZERO_ACCOUNT: Readonly<AccountState> = Object.freeze({
  balance: 0,
  totalEarned: 0,
  totalSpent: 0,
  totalGifted: 0,
  totalReceived: 0,
});

export const isUserAccount = (account: string): account is `user:${string}` => account.startsWith('user:') && account.length > 5;
export const isSystemAccount = (account: string): boolean => account === ISSUANCE || account === SINK || account === ADJUSTMENTS;
/**
 * Every account but issuance and adjustments is guarded: its balance never goes below zero.
 * Issuance may be negative (its negation is the minted supply), and so may the admin adjustments
 * account (it adds tokens as issuance does); the sink can only give back (refund) what it has
 * received.
 */
export const isGuarded = (account: string): boolean => account !== ISSUANCE && account !== ADJUSTMENTS;
export const userIdOf = (account: `user:${string}`): string => account.slice(5);

/** Which system account must (or may) be on each side of an entry of a kind. */
interface KindShape {
  /** Allowed debited accounts: 'user', or a system account. */
  debit: ReadonlyArray<'user' | AccountId>;
  credit: ReadonlyArray<'user' | AccountId>;
}

const KIND_SHAPES: Record<Exclude<EntryKind, 'adjustment'>, KindShape> = {
  earn: { debit: [ISSUANCE], credit: ['user'] },
  grant: { debit: [ISSUANCE], credit: ['user'] },
  award: { debit: [ISSUANCE], credit: ['user'] },
  gift: { debit: ['user'], credit: ['user'] },
  spend: { debit: ['user'], credit: [SINK] },
  penalty: { debit: ['user'], credit: [SINK] },
  decay: { debit: ['user'], credit: [SINK] },
  refund: { debit: [SINK], credit: ['user'] },
  // A market sale: the buyer pays; the seller and the sink (the fee) are credited.
  trade: { debit: ['user'], credit: ['user', SINK] },
};

/** Why a draft is refused; the service turns these into LEDGER_INVARIANT_VIOLATED. */
export type DraftProblem =
  | 'unknown_kind'
  | 'no_legs'
  | 'too_many_legs'
  | 'bad_account'
  | 'amount_not_integer'
  | 'amount_zero'
  | 'amount_too_large'
  | 'legs_not_balanced'
  | 'account_repeated'
  | 'kind_shape'
  | 'bad_idempotency_key';

/** Checks a draft against every structural rule; returns the problems found (empty when valid). */
export function draftProblems(draft: Pick<EntryDraft, 'kind' | 'legs' | 'idempotencyKey'>): DraftProblem[] {
  const problems = new Set<DraftProblem>();
  if (!ENTRY_KINDS.includes(draft.kind)) problems.add('unknown_kind');
  const key = draft.idempotencyKey;
  if (typeof key !== 'string' || key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_CHARS) problems.add('bad_idempotency_key');
  const legs = draft.legs;
  if (!Array.isArray(legs) || legs.length === 0) return [...problems, 'no_legs'];
  if (legs.length > LEGS_PER_ENTRY_MAX) return [...problems, 'too_many_legs'];
  const seen = new Set<string>();
  let sum = 0;
  for (const leg of legs) {
    if (typeof leg.account !== 'string' || !(isUserAccount(leg.account) || isSystemAccount(leg.account))) problems.add('bad_account');
    if (seen.has(leg.account)) problems.add('account_repeated');
    seen.add(leg.account);
    if (!Number.isSafeInteger(leg.amount)) {
      problems.add('amount_not_integer');
      continue;
    }
    if (leg.amount === 0) problems.add('amount_zero');
    if (Math.abs(leg.amount) > LEG_AMOUNT_MAX) problems.add('amount_too_large');
    sum += leg.amount;
  }
  if (!problems.has('amount_not_integer') && sum !== 0) problems.add('legs_not_balanced');
  if (legs.length < 2) problems.add('legs_not_balanced');
  if (!problems.has('unknown_kind') && !shapeFits(draft.kind, legs)) problems.add('kind_shape');
  return [...problems];
}

function shapeFits(kind: EntryKind, legs: readonly Leg[]): boolean {
  if (kind === 'adjustment') return true;
  const shape = KIND_SHAPES[kind];
  const allowed = (account: AccountId, sides: ReadonlyArray<'user' | AccountId>): boolean =>
    sides.some((side) => (side === 'user' ? isUserAccount(account) : side === account));
  // A zero leg has no side; it is reported as amount_zero, not as a shape problem.
  return legs.every((leg) => leg.amount === 0 || (leg.amount < 0 ? allowed(leg.account, shape.debit) : allowed(leg.account, shape.credit)));
}

/** Throws (a plain Error: a programming error, not a user refusal) when the draft breaks a rule. */
export function assertValidDraft(draft: Pick<EntryDraft, 'kind' | 'legs' | 'idempotencyKey'>): void {
  const problems = draftProblems(draft);
  if (problems.length > 0) throw new LedgerInvariantError(`invalid ledger entry ${draft.idempotencyKey}: ${problems.join(', ')}`, { problems });
}

/**
 * A carry belongs to a user the entry credits and is a remainder below one token; anything else
 * is a programming error in the award path.
 */
export function assertValidCarry(draft: Pick<EntryDraft, 'legs' | 'idempotencyKey' | 'carry'>): void {
  const c = draft.carry;
  if (!c) return;
  const ok = Number.isSafeInteger(c.nanos) && c.nanos >= 0 && c.nanos < 1_000_000_000 && draft.legs.some((l) => l.account === `user:${c.userId}` && l.amount > 0);
  if (!ok) throw new LedgerInvariantError(`invalid carry on ledger entry ${draft.idempotencyKey}`, { problems: ['carry_invalid'], carry: c });
}

/** Claims (EntryDraft.claims): a non-empty key, a whole non-zero delta, a whole max >= 0. */
export function assertValidClaims(draft: Pick<EntryDraft, 'idempotencyKey' | 'claims'>): void {
  for (const c of draft.claims ?? []) {
    const ok = c.key.length > 0 && c.key.length <= 200 && Number.isSafeInteger(c.delta) && c.delta !== 0 && Number.isSafeInteger(c.max) && c.max >= 0;
    if (!ok) throw new LedgerInvariantError(`invalid claim on ledger entry ${draft.idempotencyKey}`, { problems: ['claim_invalid'], claim: c });
  }
}

/**
 * A companion write (EntryDraft.transfer) belongs to the entry that pays for it: a market sale
 * moves an item only on a `trade` entry whose buyer pays and whose seller is credited, between two
 * different users. Anything else is a programming error.
 */
export function assertValidTransfer(draft: Pick<EntryDraft, 'kind' | 'legs' | 'idempotencyKey' | 'transfer'>): void {
  const t = draft.transfer;
  if (!t) return;
  const leg = (userId: string) => draft.legs.find((l) => l.account === `user:${userId}`)?.amount ?? 0;
  const ok = draft.kind === 'trade' && t.buyerId !== t.sellerId && leg(t.buyerId) < 0 && leg(t.sellerId) > 0 && [t.listingId, t.purchaseId, t.claimRequestId].every((v) => v.length > 0);
  if (!ok) throw new LedgerInvariantError(`invalid transfer on ledger entry ${draft.idempotencyKey}`, { problems: ['transfer_invalid'], transfer: t });
}

/**
 * A draft whose companion write could not be made (EntryDraft.transfer): the listing closed, the
 * claim was lost or the item left the seller. LedgerService throws it for the store's
 * `transfer_refused` outcome; nothing of the draft was written.
 */
export class TransferRefusedError extends Error {
  override name = 'TransferRefusedError';
  constructor(readonly kind: EntryTransfer['kind'], readonly reason: TransferRefusal) {
    super(`${kind} refused: ${reason}`);
  }
}

/**
 * The stored award remainder is not the one the draft's carry was computed from (a concurrent
 * award of the same user on another node). Stores answer it as a `carry_conflict` outcome;
 * LedgerService throws this for that one draft, and the award recomputes and retries.
 */
export class CarryConflictError extends Error {
  override name = 'CarryConflictError';
  constructor(readonly userId: string, readonly expected: number, readonly actual: number) {
    super(`award carry of ${userId} changed (expected ${expected}, found ${actual})`);
  }
}

/**
 * A draft refused by one of its bounded counters (EntryDraft.claims): `count` taken of `max`.
 * LedgerService throws it for the store's `claim_refused` outcome; the caller turns it into its
 * own error (OUT_OF_STOCK, PURCHASE_LIMIT_REACHED). Nothing of the draft was written.
 */
export class ClaimRefusedError extends Error {
  override name = 'ClaimRefusedError';
  constructor(readonly key: string, readonly max: number, readonly count: number) {
    super(`bounded counter ${key} is at ${count} of ${max}`);
  }
}

/** A broken ledger invariant: the transaction that found it is rolled back. */
export class LedgerInvariantError extends Error {
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'LedgerInvariantError';
    this.details = details;
  }
}

export type CounterDelta = Omit<AccountState, 'balance'>;

/**
 * How one leg moves its user account's lifetime counters. The rules (docs/ledger.md):
 * - credits of earn and award count as earned: tokens the user's own activity (or an admin's
 *   award) brought into existence;
 * - a gift's debit counts as gifted for the sender and its credit as received for the recipient
 *   (received is not "earned": it moved between users, nothing was minted);
 * - a grant's credit (a room reward) counts as received, not earned: another user decided it, so
 *   it must not raise a tier computed from lifetime earned (issue 9, docs/economy.md);
 * - debits of spend count as spent;
 * - a trade (market sale, issue 13) counts as spent for the buyer and as received (not earned:
 *   nothing was minted) for the seller, so selling items never raises a tier based on earnings;
 * - refund, penalty, decay and adjustment move the balance only. A refund does not lower totalSpent
 *   and does not count as earned: lifetime counters only ever grow, so tiers based on them never
 *   drop because of a correction.
 */
export function counterDelta(kind: EntryKind, amount: number): CounterDelta {
  const delta = { totalEarned: 0, totalSpent: 0, totalGifted: 0, totalReceived: 0 };
  if (amount > 0) {
    if (kind === 'earn' || kind === 'award') delta.totalEarned = amount;
    else if (kind === 'gift' || kind === 'grant' || kind === 'trade') delta.totalReceived = amount;
  } else if (amount < 0) {
    if (kind === 'spend' || kind === 'trade') delta.totalSpent = -amount;
    else if (kind === 'gift') delta.totalGifted = -amount;
  }
  return delta;
}

/** The account state after applying one leg of an entry of `kind`. */
export function applyLeg(state: AccountState, kind: EntryKind, amount: number): AccountState {
  const d = counterDelta(kind, amount);
  return {
    balance: state.balance + amount,
    totalEarned: state.totalEarned + d.totalEarned,
    totalSpent: state.totalSpent + d.totalSpent,
    totalGifted: state.totalGifted + d.totalGifted,
    totalReceived: state.totalReceived + d.totalReceived,
  };
}

/** True when two account states hold the same balance and counters. */
export function sameAccountState(a: AccountState, b: AccountState): boolean {
  return a.balance === b.balance && a.totalEarned === b.totalEarned && a.totalSpent === b.totalSpent && a.totalGifted === b.totalGifted && a.totalReceived === b.totalReceived;
}

/** The entry as read back from the store must carry exactly the legs that were written. */
export function assertSameLegs(written: Pick<EntryDraft, 'idempotencyKey' | 'legs'>, readBack: Pick<EntryDraft, 'legs'>): void {
  const norm = (legs: readonly Leg[]) => legs.map((l) => `${l.account}=${l.amount}`).sort().join(',');
  if (norm(written.legs) !== norm(readBack.legs)) {
    throw new LedgerInvariantError(`entry ${written.idempotencyKey} read back with different legs`, { written: written.legs, readBack: readBack.legs });
  }
}

/** Idempotency keys. Awards derive theirs from the event; client requests are scoped by user. */
export const idempotencyKeys = {
  sendMessage: (messageId: string) => `earn:send_message:${messageId}`,
  joinRoom: (userId: string, roomId: string) => `earn:join_room:${userId}:${roomId}`,
  dailyLogin: (userId: string, utcDay: string) => `earn:daily_login:${userId}:${utcDay}`,
  /** Any other earning activity tied to one event id (file share, room creation, ...). */
  earn: (activity: string, ...parts: string[]) => ['earn', activity, ...parts].join(':'),
  gift: (senderId: string, requestId: string) => `gift:${senderId}:${requestId}`,
  spend: (userId: string, requestId: string) => `spend:${userId}:${requestId}`,
  award: (adminId: string, requestId: string) => `award:${adminId}:${requestId}`,
  grant: (moderatorId: string, requestId: string) => `grant:${moderatorId}:${requestId}`,
};
