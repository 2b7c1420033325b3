import { performance } from 'node:perf_hooks';
import type { ClientSession, Connection, mongo } from 'mongoose';

export interface TransactionRunOptions {
  /** How many times the whole transaction body may run (TransientTransactionError retries). */
  maxAttempts?: number;
  /** No new attempt starts after this long since the first (the driver's own bound is 120 s). */
  retryBudgetMs?: number;
  /** How many times one commit may be retried after UnknownTransactionCommitResult. */
  maxCommitAttempts?: number;
  /** Passed to `startTransaction`. Defaults: snapshot reads, majority writes, primary. */
  transactionOptions?: mongo.TransactionOptions;
}

/**
 * Write conflicts abort the later writer at once rather than making it wait, so many concurrent
 * transactions on one hot document (one balance) need many short, jittered retries: each round
 * one of them commits. Bounded by attempts and by time, whichever comes first.
 */
export const DEFAULT_TRANSACTION_ATTEMPTS = 40;
export const DEFAULT_RETRY_BUDGET_MS = 15_000;
export const DEFAULT_COMMIT_ATTEMPTS = 5;
/** Upper bound of the random pause before a re-run, growing with the attempt number. */
const RETRY_BACKOFF_MAX_MS = 100;

const DEFAULT_TRANSACTION_OPTIONS: mongo.TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

/** True when the driver labelled the error (labels live on MongoError and subclasses). */
export function hasErrorLabel(err: unknown, label: 'TransientTransactionError' | 'UnknownTransactionCommitResult'): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const withLabel = err as { hasErrorLabel?: (l: string) => boolean; errorLabels?: unknown };
  if (typeof withLabel.hasErrorLabel === 'function') return withLabel.hasErrorLabel(label);
  return Array.isArray(withLabel.errorLabels) && withLabel.errorLabels.includes(label);
}

/** Write conflicts also surface inside the body with code 112 and the transient label; duplicate keys are 11000. */
export function mongoErrorCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Runs `fn` inside one MongoDB transaction on a fresh session and commits it.
 *
 * This is the driver's `withTransaction` contract with bounded attempts and a shorter time
 * budget than its 120 s, plus jittered pauses between attempts:
 * - an error labelled TransientTransactionError (write conflict, primary step-down) aborts and
 *   runs the WHOLE body again, up to `maxAttempts` times within `retryBudgetMs`; `fn` must therefore be safe to re-run
 *   (every read and write goes through `session`, nothing outside the database is mutated
 *   before it resolves);
 * - a commit labelled UnknownTransactionCommitResult is retried (commit is idempotent on the
 *   server) up to `maxCommitAttempts` times; a commit labelled transient re-runs the body;
 * - any other error aborts and is rethrown unchanged;
 * - the session is always ended.
 */
export async function runInTransaction<T>(
  connection: Connection,
  fn: (session: ClientSession) => Promise<T>,
  opts: TransactionRunOptions = {},
): Promise<T> {
  const maxAttempts = opts.maxAttempts ?? DEFAULT_TRANSACTION_ATTEMPTS;
  const maxCommitAttempts = opts.maxCommitAttempts ?? DEFAULT_COMMIT_ATTEMPTS;
  const txnOptions = opts.transactionOptions ?? DEFAULT_TRANSACTION_OPTIONS;
  const deadline = performance.now() + (opts.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS);
  const mayRetry = (attempt: number): boolean => attempt < maxAttempts && performance.now() < deadline;
  const session = await connection.startSession();
  try {
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) await pause(attempt);
      session.startTransaction(txnOptions);
      let result: T;
      try {
        result = await fn(session);
      } catch (err) {
        await abortQuietly(session);
        if (hasErrorLabel(err, 'TransientTransactionError') && mayRetry(attempt)) continue;
        throw err;
      }
      const transientCommitError = await commitWithRetry(session, maxCommitAttempts);
      if (transientCommitError === null) return result;
      // The commit failed with a transient label: the transaction is gone, run it again.
      if (!mayRetry(attempt)) throw transientCommitError;
    }
  } finally {
    await session.endSession();
  }
}

/** Null on commit; the error when the whole transaction must be re-run; throws otherwise. */
async function commitWithRetry(session: ClientSession, maxCommitAttempts: number): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      await session.commitTransaction();
      return null;
    } catch (err) {
      if (hasErrorLabel(err, 'UnknownTransactionCommitResult') && attempt < maxCommitAttempts) continue;
      if (hasErrorLabel(err, 'TransientTransactionError')) return err;
      throw err;
    }
  }
}

/** Full jitter: concurrent losers of one write conflict spread out instead of colliding again. */
function pause(attempt: number): Promise<void> {
  const ceilingMs = Math.min(RETRY_BACKOFF_MAX_MS, 2 ** Math.min(attempt, 7));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceilingMs));
}

async function abortQuietly(session: ClientSession): Promise<void> {
  if (!session.inTransaction()) return;
  try {
    await session.abortTransaction();
  } catch {
    // The server aborts an unfinished transaction on its own (transactionLifetimeLimitSeconds);
    // the original error is the one worth reporting.
  }
}
