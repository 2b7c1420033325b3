import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { DraftInput } from './entries.js';
import type { AccountState, ActivitySumsQuery, AuditReport, HistoryQuery, JournalEntry, LedgerQueries, LedgerStore, PostOutcome, StoredPostOutcome } from './ports.js';
import { CarryConflictError, ClaimRefusedError, LedgerInvariantError, TransferRefusedError, draftProblems, type DraftProblem } from './rules.js';

/** Batching limits: a batch is posted when it holds this many drafts or this long after its first. */
export const LEDGER_BATCH_MAX_ENTRIES = 100;
export const LEDGER_BATCH_WINDOW_MS = 5;

export interface LedgerServiceOptions {
  batchMaxEntries?: number;
  batchWindowMs?: number;
  /** Told of every store commit (server/metrics/): the entries, their outcomes (null when it failed) and its duration. */
  observer?: LedgerObserver;
}

export type LedgerObserver = (entries: readonly JournalEntry[], outcomes: readonly StoredPostOutcome[] | null, seconds: number) => void;

/**
 * What features call to move tokens. It stamps ids and times, refuses malformed drafts, and posts
 * through the store. `post`/`postMany` write at once; `enqueue` joins a short-lived batch so that
 * many small awards (one per chat message) share one commit, each caller still getting its own
 * outcome.
 */
/** The store's reads, passed straight through (documented on LedgerStore in ./ports.ts). */
type LedgerReads = Pick<LedgerStore, 'account' | 'accounts' | 'accountWithCarry' | 'findByIdempotencyKey' | 'history' | 'sumsByActivity' | 'audit' | 'claimCounts'>;

export interface LedgerService extends LedgerReads {
  post(draft: DraftInput): Promise<PostOutcome>;
  /**
   * All drafts in one transaction; outcomes in draft order. Meant for drafts without an expected
   * carry: a stale carry rejects the call with CarryConflictError although the other drafts posted.
   */
  postMany(drafts: readonly DraftInput[]): Promise<PostOutcome[]>;
  /** Posts within the next batch (at most `batchWindowMs` later). */
  enqueue(draft: DraftInput): Promise<PostOutcome>;
  /** Economy-wide reads straight from the store: a room's entries, rankings, analytics sums. */
  queries: LedgerQueries;
  /** Posts whatever is queued now; resolves when it is written. */
  flush(): Promise<void>;
}

const AMOUNT_PROBLEMS: ReadonlySet<DraftProblem> = new Set(['amount_not_integer', 'amount_zero', 'amount_too_large']);

/** Turns a malformed draft into the catalogued error: bad amounts are the caller's input, the rest is a bug. */
function refuseDraft(draft: DraftInput): void {
  const problems = draftProblems(draft);
  if (problems.length === 0) return;
  if (problems.every((p) => AMOUNT_PROBLEMS.has(p) || p === 'legs_not_balanced')) {
    throw new AppError('INVALID_AMOUNT', undefined, { problems });
  }
  throw new AppError('LEDGER_INVARIANT_VIOLATED', undefined, { problems });
}

interface Pending {
  entry: JournalEntry;
  resolve(outcome: PostOutcome): void;
  reject(err: unknown): void;
}

/**
 * A store's carry_conflict outcome (one draft's stale award remainder) reaches the caller as a
 * CarryConflictError, so the award path recomputes that one award; the rest of its batch posted.
 * Claim and transfer refusals likewise become errors for their own caller alone.
 */
function settle(outcome: StoredPostOutcome): PostOutcome {
  if (outcome.status === 'carry_conflict') throw new CarryConflictError(outcome.userId, outcome.expected, outcome.actual);
  // A bounded counter (stock, a per-user limit) refused the draft: nothing of it was written.
  if (outcome.status === 'claim_refused') throw new ClaimRefusedError(outcome.key, outcome.max, outcome.count);
  // A companion write's condition failed (a market sale's listing or item): nothing of it was written.
  if (outcome.status === 'transfer_refused') throw new TransferRefusedError(outcome.kind, outcome.reason);
  return outcome;
}

export function createLedgerService(
  store: LedgerStore,
  deps: { clock: Clock; newId: IdGenerator; logger: Logger },
  opts: LedgerServiceOptions = {},
): LedgerService {
  const batchMax = opts.batchMaxEntries ?? LEDGER_BATCH_MAX_ENTRIES;
  const windowMs = opts.batchWindowMs ?? LEDGER_BATCH_WINDOW_MS;
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  const inFlight = new Set<Promise<void>>();

  const stamp = (draft: DraftInput): JournalEntry => {
    refuseDraft(draft);
    return { ...draft, id: deps.newId(), createdAt: deps.clock.now() };
  };

  /** Store errors from a broken invariant become the catalogued error; infrastructure errors pass. */
  const postEntries = async (entries: readonly JournalEntry[]): Promise<StoredPostOutcome[]> => {
    const started = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const outcomes = await store.post(entries);
      opts.observer?.(entries, outcomes, seconds());
      return outcomes;
    } catch (err) {
      opts.observer?.(entries, null, seconds());
      if (err instanceof LedgerInvariantError) {
        deps.logger.error({ err, details: err.details }, 'ledger invariant violated; transaction rolled back');
        throw new AppError('LEDGER_INVARIANT_VIOLATED', undefined, err.details);
      }
      throw err;
    }
  };

  const runBatch = async (batch: Pending[]): Promise<void> => {
    try {
      const outcomes = await postEntries(batch.map((p) => p.entry));
      batch.forEach((p, i) => {
        try {
          p.resolve(settle(outcomes[i]!));
        } catch (err) {
          p.reject(err);
        }
      });
    } catch (batchErr) {
      if (batch.length === 1) {
        batch[0]!.reject(batchErr);
        return;
      }
      // One bad entry must not sink the others: post each alone so each caller learns its own fate.
      deps.logger.warn({ err: batchErr, size: batch.length }, 'ledger batch failed; posting its entries one by one');
      for (const p of batch) {
        try {
          const [outcome] = await postEntries([p.entry]);
          p.resolve(settle(outcome!));
        } catch (err) {
          p.reject(err);
        }
      }
    }
  };

  const drain = (): void => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    while (queue.length > 0) {
      const batch = queue.slice(0, batchMax);
      queue = queue.slice(batchMax);
      const run = runBatch(batch);
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
    }
  };

  return {
    async post(draft) {
      const [outcome] = await postEntries([stamp(draft)]);
      return settle(outcome!);
    },
    async postMany(drafts) {
      if (drafts.length === 0) return [];
      return (await postEntries(drafts.map(stamp))).map(settle);
    },
    enqueue(draft) {
      let entry: JournalEntry;
      try {
        entry = stamp(draft);
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise<PostOutcome>((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        if (queue.length >= batchMax) drain();
        else timer ??= setTimeout(drain, windowMs);
      });
    },
    account: (userId) => store.account(userId),
    accounts: (userIds) => store.accounts(userIds),
    accountWithCarry: (userId) => store.accountWithCarry(userId),
    findByIdempotencyKey: (key) => store.findByIdempotencyKey(key),
    history: (userId, query) => store.history(userId, query),
    sumsByActivity: (userId, query) => store.sumsByActivity(userId, query),
    audit: () => store.audit(),
    claimCounts: (keys) => store.claimCounts(keys),
    // Only the read methods: a caller must not reach post() past stamping and draft checks.
    queries: {
      roomEntries: (roomId, query) => store.roomEntries(roomId, query),
      topAccounts: (query) => store.topAccounts(query),
      countAccountsAtLeast: (by, mins) => store.countAccountsAtLeast(by, mins),
      userBalanceStats: () => store.userBalanceStats(),
      allUsersSumsByActivity: (query) => store.allUsersSumsByActivity(query),
      allUsersDailySumsByActivity: (query) => store.allUsersDailySumsByActivity(query),
      countActiveUsers: (query) => store.countActiveUsers(query),
      netFlows: (accounts, since) => store.netFlows(accounts, since),
      firstEntryAt: () => store.firstEntryAt(),
      topEarnersBetween: (query) => store.topEarnersBetween(query),
    },
    async flush() {
      drain();
      await Promise.all([...inFlight]);
    },
  };
}
