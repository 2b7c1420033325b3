/**
 * The ledger port: a double-entry journal. Every balance change is one entry whose legs sum to
 * zero; balances and lifetime counters are a cache of the journal, updated in the same
 * transaction as the entry is inserted. Two adapters (SQLite, MongoDB) implement it with the same
 * behaviour; test/contract/ledger.contract.test.ts runs one suite on both.
 */

export type EntryKind = 'earn' | 'gift' | 'spend' | 'refund' | 'grant' | 'award' | 'penalty' | 'decay' | 'adjustment';

/** System accounts. Issuance is the source of every minted token; sink receives burned ones. */
export const ISSUANCE = 'system:issuance';
export const SINK = 'system:sink';
export type SystemAccount = typeof ISSUANCE | typeof SINK;

/** `user:<userId>` or a system account. */
export type AccountId = `user:${string}` | SystemAccount;
export const userAccount = (userId: string): AccountId => `user:${userId}`;

export interface Leg {
  account: AccountId;
  /** Whole tokens; negative debits the account, positive credits it. Never zero. */
  amount: number;
}

export interface EntryDraft {
  kind: EntryKind;
  legs: Leg[];
  /** Unique across the journal: a second post with the same key writes nothing. */
  idempotencyKey: string;
  /** The activity or category, e.g. 'send_message', 'gift', 'shop:avatar_frame'. */
  activity: string | null;
  roomId: string | null;
  /** Free text shown in history (gift message, award reason). */
  message: string | null;
  metadata: Record<string, unknown>;
  /** Who caused it (admin for awards, moderator for grants, sender for gifts), or null for the system. */
  actorId: string | null;
  createdAt: Date;
  /**
   * The award path's fractional remainder for this user (server/earning/), written to the user's
   * account row in the same transaction as the entry, so a remainder is never saved without its
   * tokens or lost after them. Absent = the stored remainder is left as it is. Not part of the
   * journal: entries read back never carry it.
   */
  carry?: CarryUpdate;
}

/** A user's new fractional remainder in billionths of a token (0 <= nanos < 1e9). */
export interface CarryUpdate {
  userId: string;
  nanos: number;
  /**
   * The stored remainder `nanos` was computed from. When given, the post refuses with
   * CarryConflictError (and writes nothing) if the stored one differs: another node's award of the
   * same user came first, and the caller recomputes from the new remainder.
   */
  expectedNanos?: number;
}

export interface JournalEntry extends EntryDraft {
  id: string;
}

/** A user account's cached balance and the seed's lifetime counters. */
export interface AccountState {
  balance: number;
  totalEarned: number;
  totalSpent: number;
  totalGifted: number;
  totalReceived: number;
}

export type PostOutcome =
  | { status: 'posted'; entry: JournalEntry; /** user accounts touched, after the entry */ accounts: Record<string, AccountState> }
  | { status: 'duplicate'; entry: JournalEntry }
  | { status: 'insufficient_funds'; account: AccountId; balance: number; needed: number };

export interface HistoryQuery {
  kind?: EntryKind;
  /** An entry id (exclusive): entries older than it. */
  before?: string;
  limit: number;
}

/** Totals of one user's legs grouped by entry activity (entries without one under `other`). */
export interface ActivitySumsQuery {
  /** credit: tokens that came in (amounts as positive numbers); debit: tokens that went out. */
  direction: 'credit' | 'debit';
  kinds?: EntryKind[];
  /** Inclusive lower bound on the entry's createdAt. */
  since?: Date;
}

export const NO_ACTIVITY = 'other';

export interface AuditViolation {
  rule: 'entry_not_balanced' | 'total_not_zero' | 'negative_user_balance' | 'balance_mismatch' | 'supply_mismatch';
  account?: string;
  entryId?: string;
  expected?: number;
  actual?: number;
}

export interface AuditReport {
  ok: boolean;
  entries: number;
  accounts: number;
  minted: number;
  burned: number;
  userBalanceSum: number;
  violations: AuditViolation[];
}

/** Test-only hooks an adapter accepts at construction, to break a post half-way on purpose. */
export interface LedgerFaults {
  /** Called after the journal entry is inserted and before the credits are applied. */
  afterJournalInsert?: () => void;
}

export interface LedgerStore {
  /**
   * Posts drafts (with ids already assigned) in ONE transaction. Each draft is decided on its own:
   * a duplicate key returns the first entry, a debit that would take a user balance below zero
   * returns insufficient_funds and writes nothing for that draft; the others still commit.
   * Outcomes come back in draft order. Infrastructure failure rejects and writes nothing.
   */
  post(entries: readonly JournalEntry[]): Promise<PostOutcome[]>;
  /** A user's account; all zeros for a user who never had an entry. */
  account(userId: string): Promise<AccountState>;
  accounts(userIds: readonly string[]): Promise<Record<string, AccountState>>;
  /** The account and its stored award remainder (0 when never written), in one read. */
  accountWithCarry(userId: string): Promise<{ account: AccountState; carryNanos: number }>;
  findByIdempotencyKey(key: string): Promise<JournalEntry | null>;
  /** Entries with a leg on the user's account, newest first. */
  history(userId: string, query: HistoryQuery): Promise<{ items: JournalEntry[]; nextCursor: string | null }>;
  /** Earning / spending statistics: per activity, positive totals, for the user's legs in one direction. */
  sumsByActivity(userId: string, query: ActivitySumsQuery): Promise<Record<string, number>>;
  /** Recomputes every balance from the journal and checks the invariants. */
  audit(): Promise<AuditReport>;
}
