/**
 * The ledger port: a double-entry journal. Every balance change is one entry whose legs sum to
 * zero; balances and lifetime counters are a cache of the journal, updated in the same
 * transaction as the entry is inserted. Two adapters (SQLite, MongoDB) implement it with the same
 * behaviour; test/contract/ledger.contract.test.ts runs one suite on both.
 */

/**
 * `trade` (issue 13, market): a marketplace sale, buyer -> seller plus the fee to the sink, in one
 * entry, so the price, the seller's share and the fee can never be split by a crash.
 */
export type EntryKind = 'earn' | 'gift' | 'spend' | 'refund' | 'grant' | 'award' | 'penalty' | 'decay' | 'adjustment' | 'trade';

/** System accounts. Issuance is the source of every minted token; sink receives burned ones. */
export const ISSUANCE = 'system:issuance';
export const SINK = 'system:sink';
/**
 * Admin balance corrections (server/admin/): the other side of every `adjustment` entry. Unguarded
 * like issuance: negative by what admins added net, positive by what they removed net.
 */
export const ADJUSTMENTS = 'system:adjustments';
export type SystemAccount = typeof ISSUANCE | typeof SINK | typeof ADJUSTMENTS;

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
  /**
   * A floor under one user's balance for this draft alone: after it, the balance must still hold
   * `minBalance` tokens, or the draft is insufficient_funds with `floor` set. It is decided in the
   * posting transaction like the zero guard, so two gifts racing on two nodes cannot both spend
   * tokens that have not vested (docs/gifts.md). Not part of the journal.
   */
  floor?: BalanceFloor;
  /**
   * Bounded counters taken or given back in the posting transaction (issue 13): the stock of a
   * limited-edition item, one user's purchases of it. A draft that would take a counter past its
   * `max` is `claim_refused` and writes nothing, decided with the balance guard, so a sale is never
   * charged without its stock and stock is never sold twice, on any node. Not part of the journal.
   */
  claims?: CounterClaim[];
  /**
   * A write outside the ledger that belongs to this entry (issue 13: a market sale's item move and
   * listing close). The store that owns those records provides it to the ledger adapter as an
   * entry companion (server/stores/{sqlite,mongo}/entry-companions.ts); its condition is read and its writes
   * applied inside the posting transaction, so the tokens and the thing they paid for commit
   * together or not at all. A failed condition is `transfer_refused` and writes nothing of the
   * draft. Not part of the journal.
   */
  transfer?: EntryTransfer;
}

/**
 * A market sale's companion write: the purchase record moves from `sellerId` to `buyerId` and the
 * listing closes as sold with the entry's id and time. Its condition: the listing is open and
 * claimed under `claimRequestId` by `buyerId`, and the seller still holds the purchase,
 * unrefunded and unused.
 */
export interface MarketSaleTransfer {
  kind: 'market_sale';
  listingId: string;
  purchaseId: string;
  sellerId: string;
  buyerId: string;
  /** The buyer's claim on the listing (its requestId): a buyer whose claim was lost moves nothing. */
  claimRequestId: string;
}

/** Every companion write an entry may carry (one kind so far). */
export type EntryTransfer = MarketSaleTransfer;

/** Why a companion's condition failed: the listing is no longer open, another claim holds it, or the item left the seller. */
export type TransferRefusal = 'listing_closed' | 'claim_lost' | 'item_gone';

/**
 * One bounded counter of a draft. `delta` > 0 takes (the counter after the draft must stay <=
 * `max`); `delta` < 0 gives back (a refund), never below zero.
 */
export interface CounterClaim {
  /** e.g. `shop:stock:<itemId>` (server/shop/limited-editions.ts). */
  key: string;
  delta: number;
  /** Only read when taking. */
  max: number;
}

/** The least balance one user must keep after a draft (gift vesting). */
export interface BalanceFloor {
  userId: string;
  minBalance: number;
}

/** A user's new fractional remainder in billionths of a token (0 <= nanos < 1e9). */
export interface CarryUpdate {
  userId: string;
  nanos: number;
  /**
   * The stored remainder `nanos` was computed from. When given, the store answers this draft with
   * `carry_conflict` (and writes nothing of it; the rest of the batch still posts) if the stored
   * one differs: another node's award of the same user came first, and the caller recomputes from
   * the new remainder. LedgerService turns that outcome into a CarryConflictError for its caller.
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
  | { status: 'insufficient_funds'; account: AccountId; balance: number; needed: number; /** the draft's floor, when that is what refused it */ floor?: number };

/** A draft whose carry was computed from a remainder that is no longer the stored one. */
export interface CarryConflictOutcome {
  status: 'carry_conflict';
  userId: string;
  expected: number;
  actual: number;
}

/** A draft that would take a bounded counter past its max (`count` is the counter before it). */
export interface ClaimRefusedOutcome {
  status: 'claim_refused';
  key: string;
  max: number;
  count: number;
}

/** A draft whose companion write's condition failed (EntryDraft.transfer): nothing of it was written. */
export interface TransferRefusedOutcome {
  status: 'transfer_refused';
  kind: EntryTransfer['kind'];
  reason: TransferRefusal;
}

/** What a store answers per draft: a PostOutcome, or a carry conflict / claim or transfer refusal for that draft alone. */
export type StoredPostOutcome = PostOutcome | CarryConflictOutcome | ClaimRefusedOutcome | TransferRefusedOutcome;

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

/** Entries of one room (the entry's `roomId`), newest first, paged like history. */
export type RoomEntriesQuery = HistoryQuery;

/** The account counters a ranking or a tier basis can be read from. */
export type RankField = 'balance' | 'totalEarned';

/** One user account of a ranking. */
export interface RankedAccount {
  userId: string;
  account: AccountState;
}

/** A page of user accounts ranked by `by` (highest first, ties by account id); only values > 0. */
export interface TopAccountsQuery {
  by: RankField;
  limit: number;
  /** Accounts to skip from the top (later pages). */
  offset?: number;
}

/**
 * Totals over the legs of every user account (not system ones) in one direction, grouped by
 * entry activity (entries without one under `other`); the economy-wide sibling of sumsByActivity.
 */
export interface AllUsersSumsQuery extends ActivitySumsQuery {
  /** Exclusive upper bound on the entry's createdAt. */
  until?: Date;
}

/** One UTC day's total of one activity (`day` is YYYY-MM-DD; entries without an activity under NO_ACTIVITY). */
export interface DailyActivitySum {
  day: string;
  activity: string;
  total: number;
}

/** Count, balance sum and median balance over every user account the ledger holds. */
export interface UserBalanceStats {
  accounts: number;
  balanceSum: number;
  /** Middle balance (mean of the two middle ones for an even count, may be .5); 0 with no accounts. */
  medianBalance: number;
}

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
  /** Called once per batch, after its journal entries are inserted and before any account is written. */
  afterJournalInsert?: () => void;
  /** Called once per batch after its companion writes (EntryDraft.transfer) are applied, before the commit. */
  afterTransfers?: () => void;
}

export interface LedgerStore {
  /**
   * Posts drafts (with ids already assigned) in ONE transaction. Each draft is decided on its own:
   * a duplicate key returns the first entry, a debit that would take a user balance below zero
   * returns insufficient_funds and writes nothing for that draft, a stale carry returns
   * carry_conflict likewise; the others still commit. Every rule lives in one pure planner
   * (server/ledger/posting-plan.ts) that both adapters call. Outcomes come back in draft order.
   * Infrastructure failure rejects and writes nothing.
   */
  post(entries: readonly JournalEntry[]): Promise<StoredPostOutcome[]>;
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
  /** Entries whose `roomId` is `roomId`, newest first (server/rewards/ lists a room's grants). */
  roomEntries(roomId: string, query: RoomEntriesQuery): Promise<{ items: JournalEntry[]; nextCursor: string | null }>;
  /** User accounts with `by` > 0, highest first (the token leaderboard, server/insights/). */
  topAccounts(query: TopAccountsQuery): Promise<RankedAccount[]>;
  /** For each of `mins`, how many user accounts have `by` >= it (tier distribution). */
  countAccountsAtLeast(by: RankField, mins: readonly number[]): Promise<number[]>;
  /** Count, sum and median of user balances. */
  userBalanceStats(): Promise<UserBalanceStats>;
  /** sumsByActivity over every user account at once (economy analytics). */
  allUsersSumsByActivity(query: AllUsersSumsQuery): Promise<Record<string, number>>;
  /**
   * allUsersSumsByActivity per UTC day (earning over time on the admin dashboard): one row per
   * day and activity that had a matching leg, oldest day first; days without one are absent.
   */
  allUsersDailySumsByActivity(query: AllUsersSumsQuery): Promise<DailyActivitySum[]>;
  /** How many distinct user accounts have a leg matching the query. */
  countActiveUsers(query: AllUsersSumsQuery): Promise<number>;
  /** Per account, the sum of its legs (signed) with createdAt >= since (all time without it). */
  netFlows(accounts: readonly AccountId[], since?: Date): Promise<Record<string, number>>;
  /** When the first journal entry was written; null for an empty journal (analytics: observed days, issue 9). */
  firstEntryAt(): Promise<Date | null>;
  /**
   * Issue 13 (seasons): user accounts ranked by the tokens credited to them by entries of `kinds`
   * created in [since, until), highest first, ties by user id; only totals > 0. The seasonal leaderboard.
   */
  topEarnersBetween(query: EarnersQuery): Promise<RankedEarner[]>;
  /** The bounded counters' values (see EntryDraft.claims); 0 for a key never taken. */
  claimCounts(keys: readonly string[]): Promise<Record<string, number>>;
}

/** Credits of `kinds` inside [since, until), the `limit` largest totals. */
export interface EarnersQuery {
  kinds: readonly EntryKind[];
  since: Date;
  until: Date;
  limit: number;
}

export interface RankedEarner {
  userId: string;
  earned: number;
}

/** The read-only economy-wide queries, exposed on LedgerService as `queries` (rewards list, insights). */
export type LedgerQueries = Pick<LedgerStore, 'roomEntries' | 'topAccounts' | 'countAccountsAtLeast' | 'userBalanceStats' | 'allUsersSumsByActivity' | 'allUsersDailySumsByActivity' | 'countActiveUsers' | 'netFlows' | 'firstEntryAt' | 'topEarnersBetween'>;
