import { describe, expect, it } from 'vitest';
import type { ClientSession, Connection } from 'mongoose';
import { hasErrorLabel, runInTransaction } from '../../server/stores/mongo/transaction.js';

/**
 * MongoDB cannot run on this machine, so the retry contract of runInTransaction is checked
 * against a scripted session that behaves like the driver's: labels on errors, transaction state,
 * commit and abort. The real-server half is the ledger contract suite when MONGO_URL is set.
 */
class LabelledError extends Error {
  constructor(message: string, readonly labels: string[], readonly code?: number) {
    super(message);
  }
  hasErrorLabel(label: string): boolean {
    return this.labels.includes(label);
  }
}

function fakeConnection(commitErrors: Array<Error | null> = []) {
  const log: string[] = [];
  let inTxn = false;
  const session = {
    startTransaction: () => {
      log.push('start');
      inTxn = true;
    },
    inTransaction: () => inTxn,
    commitTransaction: async () => {
      const err = commitErrors.shift() ?? null;
      log.push(err ? `commit-fail:${(err as LabelledError).labels.join('+')}` : 'commit');
      if (err) {
        if ((err as LabelledError).hasErrorLabel('TransientTransactionError')) inTxn = false;
        throw err;
      }
      inTxn = false;
    },
    abortTransaction: async () => {
      log.push('abort');
      inTxn = false;
    },
    endSession: async () => {
      log.push('end');
    },
  };
  const connection = { startSession: async () => session } as unknown as Connection;
  return { connection, log, session: session as unknown as ClientSession };
}

const transient = () => new LabelledError('WriteConflict', ['TransientTransactionError'], 112);
const unknownCommit = () => new LabelledError('network', ['UnknownTransactionCommitResult']);

describe('runInTransaction', () => {
  it('commits once and ends the session', async () => {
    const { connection, log } = fakeConnection();
    await expect(runInTransaction(connection, async () => 42)).resolves.toBe(42);
    expect(log).toEqual(['start', 'commit', 'end']);
  });

  it('re-runs the whole body on TransientTransactionError', async () => {
    const { connection, log } = fakeConnection();
    let runs = 0;
    const result = await runInTransaction(connection, async () => {
      runs++;
      if (runs < 3) throw transient();
      return 'done';
    });
    expect(result).toBe('done');
    expect(runs).toBe(3);
    expect(log).toEqual(['start', 'abort', 'start', 'abort', 'start', 'commit', 'end']);
  });

  it('retries only the commit on UnknownTransactionCommitResult', async () => {
    const { connection, log } = fakeConnection([unknownCommit(), unknownCommit()]);
    let runs = 0;
    await runInTransaction(connection, async () => ++runs);
    expect(runs).toBe(1);
    expect(log).toEqual(['start', 'commit-fail:UnknownTransactionCommitResult', 'commit-fail:UnknownTransactionCommitResult', 'commit', 'end']);
  });

  it('re-runs the body when the commit itself fails as transient', async () => {
    const { connection, log } = fakeConnection([transient()]);
    let runs = 0;
    await runInTransaction(connection, async () => ++runs);
    expect(runs).toBe(2);
    expect(log).toEqual(['start', 'commit-fail:TransientTransactionError', 'start', 'commit', 'end']);
  });

  it('aborts and rethrows any other error unchanged, and still ends the session', async () => {
    const { connection, log } = fakeConnection();
    const boom = new Error('boom');
    let runs = 0;
    await expect(
      runInTransaction(connection, async () => {
        runs++;
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(runs).toBe(1);
    expect(log).toEqual(['start', 'abort', 'end']);
  });

  it('gives up after maxAttempts and throws the last transient error', async () => {
    const { connection, log } = fakeConnection();
    let runs = 0;
    await expect(
      runInTransaction(
        connection,
        async () => {
          runs++;
          throw transient();
        },
        { maxAttempts: 3 },
      ),
    ).rejects.toMatchObject({ code: 112 });
    expect(runs).toBe(3);
    expect(log.at(-1)).toBe('end');
  });

  it('gives up on the commit after maxCommitAttempts', async () => {
    const { connection, log } = fakeConnection([unknownCommit(), unknownCommit(), unknownCommit()]);
    await expect(runInTransaction(connection, async () => 1, { maxCommitAttempts: 2 })).rejects.toThrow('network');
    expect(log.filter((l) => l.startsWith('commit'))).toHaveLength(2);
    expect(log.at(-1)).toBe('end');
  });

  it('reads labels from hasErrorLabel or from an errorLabels array', () => {
    expect(hasErrorLabel(transient(), 'TransientTransactionError')).toBe(true);
    expect(hasErrorLabel({ errorLabels: ['UnknownTransactionCommitResult'] }, 'UnknownTransactionCommitResult')).toBe(true);
    expect(hasErrorLabel(new Error('x'), 'TransientTransactionError')).toBe(false);
    expect(hasErrorLabel(null, 'TransientTransactionError')).toBe(false);
  });
});
