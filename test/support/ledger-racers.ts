import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JournalEntry, StoredPostOutcome } from '../../server/ledger/ports.js';

/**
 * A ledger poster in another process, on the same data: SQLite runs one transaction at a time per
 * process (better-sqlite3 is synchronous), so a race inside one process can never interleave two
 * transactions. Two processes on one file do, through SQLite's own locking; on MongoDB the child
 * is a second connection, as a second server node would be.
 */
export interface LedgerRacer {
  post(entries: readonly JournalEntry[]): Promise<StoredPostOutcome[]>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./ledger-racer-child.ts', import.meta.url));

/** Starts the child on `target` (a SQLite data dir, or a MongoDB URL) and resolves once it is ready. */
export async function startLedgerRacer(target: { dataDir: string } | { mongoUrl: string }): Promise<LedgerRacer> {
  const args = 'dataDir' in target ? [target.dataDir, ''] : ['.', target.mongoUrl];
  const child: ChildProcess = fork(CHILD, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve(o: StoredPostOutcome[]): void; reject(e: Error): void }>();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`ledger racer exited with ${code} before it was ready`)));
    child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`ledger racer said ${JSON.stringify(m)}`))));
  });
  // A send to a child that already left surfaces in post() below, not as an unhandled 'error'.
  child.on('error', () => undefined);
  child.on('message', (raw) => {
    const m = raw as { id: number; outcomes?: StoredPostOutcome[]; error?: string };
    const waiter = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) waiter?.reject(new Error(m.error));
    else waiter?.resolve(reviveDates(m.outcomes ?? []));
  });
  return {
    post(entries) {
      const id = next++;
      return new Promise((resolve, reject) => {
        if (!child.connected) return reject(new Error('ledger racer is gone'));
        pending.set(id, { resolve, reject });
        child.send({ id, entries: entries.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })) }, (err) => {
          if (!err) return;
          pending.delete(id);
          reject(err);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      });
    },
  };
}

/** Entries cross the IPC channel as JSON: their dates come back as strings. */
function reviveDates(outcomes: StoredPostOutcome[]): StoredPostOutcome[] {
  return outcomes.map((o) => ('entry' in o ? { ...o, entry: { ...o.entry, createdAt: new Date(o.entry.createdAt) } } : o));
}
