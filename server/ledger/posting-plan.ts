import { userAccount, type AccountId, type AccountState, type EntryTransfer, type JournalEntry, type Leg, type StoredPostOutcome, type TransferRefusal } from './ports.js';
import { LedgerInvariantError, ZERO_ACCOUNT, applyLeg, assertValidCarry, assertValidClaims, assertValidDraft, assertValidTransfer, isGuarded, isUserAccount, sameAccountState, userIdOf } from './rules.js';

/**
 * The posting planner: every rule of `LedgerStore.post` in one pure, synchronous function that
 * both adapters call. An adapter reads what the plan needs (the batch's keys already in the
 * journal, the batch's account rows), asks for the plan, then applies it: insert `inserts`,
 * apply each of `writes` once, read the rows back and check them against `after`.
 *
 * Why one place: the SQLite and MongoDB adapters had each written the algorithm (idempotency,
 * guards, carry, system-leg batching) and they had diverged. Deciding every draft in memory before
 * anything is written also means a refused draft never needs undoing (no savepoint in SQLite,
 * no compensating update in MongoDB), and each account is written once per batch: the system
 * accounts that every award and purchase touches are no longer written once per entry.
 */

/** An account row as the adapter read it at the start of the batch (absent: no row yet). */
export interface AccountSnapshot {
  state: AccountState;
  /** The stored award remainder (billionths of a token); 0 when never written. */
  carryNanos: number;
}

export interface PostingInputs {
  /** Entries already in the journal, by idempotency key (only the batch's keys need be present). */
  existing: ReadonlyMap<string, JournalEntry>;
  /** Every account a leg of the batch names, as read before the batch; missing = no row. */
  accounts: ReadonlyMap<string, AccountSnapshot>;
  /** Every bounded counter a claim of the batch names, as read before the batch; missing = 0 / no row. */
  claims?: ReadonlyMap<string, number>;
  /**
   * The verdict on every companion write of the batch (EntryDraft.transfer), by entry id, read in
   * the posting transaction by the owning store's companion: null when its condition holds, else
   * why not. A transfer without a verdict is a broken invariant (the adapter did not check it).
   */
  transfers?: ReadonlyMap<string, TransferRefusal | null>;
}

/** A posted entry's companion write, for the adapter to apply in the same transaction. */
export interface PlannedTransfer {
  entry: JournalEntry;
  transfer: EntryTransfer;
}

/** What one bounded counter must become (EntryDraft.claims): applied once per batch, read back. */
export interface ClaimWrite {
  key: string;
  /** The counter before the batch, or null when it has no row yet. */
  before: number | null;
  delta: number;
  after: number;
}

/** What one account's row must become: applied once per batch, then read back and compared. */
export interface AccountWrite {
  account: AccountId;
  /** The row before the batch, or null when it does not exist yet (the write creates it). */
  before: AccountState | null;
  /** The sum of the batch's posted legs on this account, applied as one increment per field. */
  delta: AccountState;
  /** What the read-back must show. */
  after: AccountState;
  /** The award remainder to store with the row, when a posted entry set one. */
  carryNanos?: number;
  /**
   * The smallest balance the row may hold before the write for the guard to pass: set when the
   * account is guarded and the batch lowers it somewhere. A store adds it to its write as a filter
   * (MongoDB) so a row changed behind the plan's back is caught rather than overdrawn.
   */
  guardMin?: number;
}

export interface PostingPlan {
  /** One outcome per draft, in draft order. */
  outcomes: StoredPostOutcome[];
  /** The entries to insert, in draft order (only the posted ones). */
  inserts: JournalEntry[];
  /** One write per account touched by a posted entry, sorted by account id (a stable lock order). */
  writes: AccountWrite[];
  /**
   * Guarded accounts whose balance refused at least one draft. A store whose read may be older
   * than the latest commit (a MongoDB snapshot) checks these against a fresh read before trusting
   * the refusal: a credit committed after its snapshot could have made the debit valid.
   */
  guardMisses: AccountId[];
  /** One write per bounded counter a posted entry moved, sorted by key. */
  claimWrites: ClaimWrite[];
  /** Counters that refused a draft (checked against a fresh read like guardMisses). */
  claimMisses: string[];
  /** The companion writes of the posted entries, in draft order. */
  transfers: PlannedTransfer[];
}

/** Structural checks of a whole batch, before any read: a bad draft is a programming error. */
export function assertPostable(entries: readonly JournalEntry[]): void {
  for (const entry of entries) {
    assertValidDraft(entry);
    assertValidCarry(entry);
    assertValidClaims(entry);
    assertValidTransfer(entry);
  }
}

/** The drafts of the batch that carry a companion write (what an adapter has its companions check). */
export function withTransfer(entries: readonly JournalEntry[]): Array<JournalEntry & { transfer: EntryTransfer }> {
  return entries.filter((e): e is JournalEntry & { transfer: EntryTransfer } => e.transfer !== undefined);
}

/**
 * The companion an adapter was given for `transfer`'s kind (server/stores/entry-companions.ts); a
 * ledger store built without companions cannot post a transfer: a wiring bug, the batch is refused.
 */
export function companionFor<C>(companions: Readonly<Record<EntryTransfer['kind'], C>> | undefined, transfer: EntryTransfer): C {
  const companion = companions?.[transfer.kind];
  if (!companion) throw new LedgerInvariantError(`no companion for transfer ${transfer.kind}: the ledger store was built without entry companions`, { kind: transfer.kind });
  return companion;
}

/** What two companion writes of one batch must not both move (the second one is refused). */
const transferTargets = (t: EntryTransfer): string[] => [`listing:${t.listingId}`, `purchase:${t.purchaseId}`];

/** Every bounded counter the batch's claims name, in a stable order. */
export function claimKeysOf(entries: readonly JournalEntry[]): string[] {
  return [...new Set(entries.flatMap((e) => (e.claims ?? []).map((c) => c.key)))].sort();
}

/** Every account the batch's legs name, in a stable order (what an adapter reads for the plan). */
export function accountsOf(entries: readonly JournalEntry[]): AccountId[] {
  return [...new Set(entries.flatMap((e) => e.legs.map((l) => l.account)))].sort();
}

/** The batch's distinct idempotency keys (what an adapter looks up in the journal for the plan). */
export function keysOf(entries: readonly JournalEntry[]): string[] {
  return [...new Set(entries.map((e) => e.idempotencyKey))];
}

/** System accounts keep no counters, so their legs move as a counter-free kind. */
const legKind = (entry: JournalEntry, leg: Leg) => (isUserAccount(leg.account) ? entry.kind : 'adjustment');

interface Working {
  before: AccountState | null;
  state: AccountState;
  carryNanos: number;
  carryWritten: boolean;
  touched: boolean;
  /** Lowest balance this batch's posted legs needed the row to hold at the start. */
  guardMin: number;
}

/**
 * Decides a batch. Each draft is judged against the state left by the drafts before it:
 * - a key already in the journal, or posted earlier in the batch, is `duplicate` (the first entry);
 * - a carry whose `expectedNanos` is not the current remainder is `carry_conflict` (that draft only);
 * - a counter taken past its max is `claim_refused`, a companion write whose condition failed
 *   (or whose listing or item an earlier draft of the batch moves) `transfer_refused`;
 * - a leg that would take a guarded account below zero is `insufficient_funds` (that draft only);
 * - otherwise it is `posted`, with the touched user accounts as they stand after it.
 * Nothing of a refused draft reaches `inserts` or `writes`.
 */
export function planPosting(entries: readonly JournalEntry[], inputs: PostingInputs): PostingPlan {
  const working = new Map<string, Working>();
  const accountOf = (account: string): Working => {
    let w = working.get(account);
    if (!w) {
      const snap = inputs.accounts.get(account);
      w = { before: snap ? snap.state : null, state: snap ? snap.state : { ...ZERO_ACCOUNT }, carryNanos: snap?.carryNanos ?? 0, carryWritten: false, touched: false, guardMin: 0 };
      working.set(account, w);
    }
    return w;
  };
  const postedByKey = new Map<string, JournalEntry>();
  const guardMisses = new Set<AccountId>();
  const inserts: JournalEntry[] = [];
  const counters = new Map<string, { before: number | null; now: number }>();
  const counterOf = (key: string) => {
    let c = counters.get(key);
    if (!c) {
      const stored = inputs.claims?.get(key);
      c = { before: stored ?? null, now: stored ?? 0 };
      counters.set(key, c);
    }
    return c;
  };
  const claimMisses = new Set<string>();
  const transfers: PlannedTransfer[] = [];
  const moved = new Set<string>();

  const outcomes = entries.map((entry): StoredPostOutcome => {
    const first = inputs.existing.get(entry.idempotencyKey) ?? postedByKey.get(entry.idempotencyKey);
    if (first) return { status: 'duplicate', entry: first };
    if (entry.carry?.expectedNanos !== undefined) {
      const stored = accountOf(userAccount(entry.carry.userId)).carryNanos;
      if (stored !== entry.carry.expectedNanos) return { status: 'carry_conflict', userId: entry.carry.userId, expected: entry.carry.expectedNanos, actual: stored };
    }
    for (const claim of entry.claims ?? []) {
      const count = counterOf(claim.key).now;
      if (claim.delta > 0 && count + claim.delta > claim.max) {
        claimMisses.add(claim.key);
        return { status: 'claim_refused', key: claim.key, max: claim.max, count };
      }
    }
    if (entry.transfer) {
      const verdict = inputs.transfers?.get(entry.id);
      if (verdict === undefined) throw new LedgerInvariantError(`transfer of ledger entry ${entry.idempotencyKey} was not checked`, { kind: entry.transfer.kind });
      // An earlier draft of this batch already moves the listing or the item: the condition read before the batch no longer holds.
      const reason = verdict ?? (transferTargets(entry.transfer).some((t) => moved.has(t)) ? 'item_gone' : null);
      if (reason) return { status: 'transfer_refused', kind: entry.transfer.kind, reason };
    }
    for (const leg of entry.legs) {
      const w = accountOf(leg.account);
      const min = floorOf(entry, leg.account);
      if (isGuarded(leg.account) && leg.amount < 0 && w.state.balance + leg.amount < min) {
        guardMisses.add(leg.account);
        const refused: StoredPostOutcome = { status: 'insufficient_funds', account: leg.account, balance: w.state.balance, needed: -leg.amount };
        return min > 0 ? { ...refused, floor: min } : refused;
      }
    }
    const touched: Record<string, AccountState> = {};
    for (const leg of entry.legs) {
      const w = accountOf(leg.account);
      w.state = applyLeg(w.state, legKind(entry, leg), leg.amount);
      w.touched = true;
      const start = w.before?.balance ?? 0;
      // The row must have held at least this much at the start for every posted debit to pass.
      if (isGuarded(leg.account) && leg.amount < 0) w.guardMin = Math.max(w.guardMin, start - w.state.balance + floorOf(entry, leg.account));
      if (isUserAccount(leg.account)) touched[userIdOf(leg.account)] = w.state;
    }
    // A give-back never takes a counter below zero (it returns what a purchase took, no more).
    for (const claim of entry.claims ?? []) {
      const c = counterOf(claim.key);
      c.now = Math.max(0, c.now + claim.delta);
    }
    if (entry.carry) {
      const w = accountOf(userAccount(entry.carry.userId));
      w.carryNanos = entry.carry.nanos;
      w.carryWritten = true;
    }
    // The carry, floor, claims and transfer are not part of the journal: entries read back never carry them.
    const { carry: _carry, floor: _floor, claims: _claims, transfer, ...stored } = entry;
    postedByKey.set(entry.idempotencyKey, stored);
    inserts.push(stored);
    if (transfer) {
      for (const t of transferTargets(transfer)) moved.add(t);
      transfers.push({ entry: stored, transfer });
    }
    return { status: 'posted', entry: stored, accounts: touched };
  });

  const writes: AccountWrite[] = [];
  for (const [account, w] of [...working].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!w.touched) continue;
    const base = w.before ?? ZERO_ACCOUNT;
    const write: AccountWrite = {
      account: account as AccountId,
      before: w.before,
      delta: {
        balance: w.state.balance - base.balance,
        totalEarned: w.state.totalEarned - base.totalEarned,
        totalSpent: w.state.totalSpent - base.totalSpent,
        totalGifted: w.state.totalGifted - base.totalGifted,
        totalReceived: w.state.totalReceived - base.totalReceived,
      },
      after: w.state,
    };
    if (w.carryWritten) write.carryNanos = w.carryNanos;
    if (w.guardMin > 0) write.guardMin = w.guardMin;
    writes.push(write);
  }
  const claimWrites: ClaimWrite[] = [...counters]
    .filter(([, c]) => c.now !== (c.before ?? 0))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, c]) => ({ key, before: c.before, delta: c.now - (c.before ?? 0), after: c.now }));
  return { outcomes, inserts, writes, guardMisses: [...guardMisses], claimWrites, claimMisses: [...claimMisses], transfers };
}

/** The least balance `account` must keep after `entry`: its floor when the floor is that user's, else 0. */
function floorOf(entry: JournalEntry, account: AccountId): number {
  return entry.floor && userAccount(entry.floor.userId) === account ? Math.max(0, entry.floor.minBalance) : 0;
}

/**
 * The read-back check of one applied write: the row must be exactly what the plan expected (a
 * difference means another writer changed it between the read and the write, or the write went
 * wrong), a guarded balance is never negative, and a written carry is the one planned.
 */
export function assertWriteReadBack(write: AccountWrite, readBack: AccountState, carryNanos: number | undefined): void {
  if (!sameAccountState(write.after, readBack)) {
    throw new LedgerInvariantError(`account ${write.account} read back differs from the write`, { account: write.account, expected: write.after, actual: readBack });
  }
  if (isGuarded(write.account) && readBack.balance < 0) throw new LedgerInvariantError(`account ${write.account} went negative`, { account: write.account, balance: readBack.balance });
  if (write.carryNanos !== undefined && carryNanos !== write.carryNanos) {
    throw new LedgerInvariantError(`account ${write.account} carry read back differs from the write`, { account: write.account, expected: write.carryNanos, actual: carryNanos });
  }
}
