import { fork, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { fileURLToPath } from 'node:url';

/**
 * Stores in another process, on the same data, for races that can actually interleave: SQLite runs
 * one transaction at a time per process (better-sqlite3 is synchronous), so a `Promise.all` race
 * inside one process never overlaps two transactions and proves nothing. Two processes on one file
 * do overlap, through SQLite's own locking; on MongoDB the child is a second connection, as a
 * second server node would be.
 *
 *   const racer = await startStoreRacer(factory.racerTarget(backend));
 *   const other = racer.store<PurchaseStore>('purchases');
 *   await Promise.all([store.record(p), other.record(p)]);
 */
export type RacedStore = 'ledger' | 'engagement' | 'purchases' | 'penalties' | 'adminAudit' | 'users' | 'rooms' | 'messages' | 'files' | 'notifications' | 'market' | 'seasons' | 'goals';

export interface StoreRacer {
  /** The named store of the other process: every method call runs there. */
  store<T extends object>(name: RacedStore): T;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./store-racer-child.ts', import.meta.url));

/** Starts the child on `target` (a SQLite data dir, or a MongoDB URL) and resolves once it is ready. */
export async function startStoreRacer(target: { dataDir: string } | { mongoUrl: string }): Promise<StoreRacer> {
  const args = 'dataDir' in target ? [target.dataDir, ''] : ['.', target.mongoUrl];
  const child: ChildProcess = fork(CHILD, args, { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`store racer exited with ${code} before it was ready`)));
    child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`store racer said ${JSON.stringify(m)}`))));
  });
  // A send to a child that already left surfaces in call() below, not as an unhandled 'error'.
  child.on('error', () => undefined);
  child.on('message', (raw) => {
    const m = raw as { id: number; result?: unknown; error?: { name: string; message: string } };
    const waiter = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) waiter?.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
    else waiter?.resolve(m.result);
  });
  const call = (store: RacedStore, method: string, callArgs: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (!child.connected) return reject(new Error('store racer is gone'));
      const id = next++;
      pending.set(id, { resolve, reject });
      child.send({ id, store, method, args: callArgs }, (err) => {
        if (!err) return;
        pending.delete(id);
        reject(err);
      });
    });
  return {
    store<T extends object>(name: RacedStore): T {
      // Not a thenable (`then` is undefined), so the proxy itself can be awaited and returned from async code.
      return new Proxy({} as T, {
        get: (_t, method) => (method === 'then' || typeof method === 'symbol' ? undefined : (...callArgs: unknown[]) => call(name, method, callArgs)),
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

/**
 * For a suite: `other(name)` starts (once per test) the second process on the current test's
 * backend and returns its store `name`; an afterEach closes it. Call inside the describe body,
 * after the hooks that open and dispose the backend, so it closes before the backend goes.
 */
export function useStoreRacer(target: () => { dataDir: string } | { mongoUrl: string }): <T extends object>(name: RacedStore) => Promise<T> {
  let racer: Promise<StoreRacer> | undefined;
  afterEach(async () => {
    const started = racer;
    racer = undefined;
    if (started) await (await started).close();
  });
  return async <T extends object>(name: RacedStore) => (await (racer ??= startStoreRacer(target()))).store<T>(name);
}
