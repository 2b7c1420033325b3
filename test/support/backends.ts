import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { inject } from 'vitest';
import { openBackend, type Backend } from '../../server/stores/backend.js';

/**
 * The backends every contract suite runs on: SQLite always; MongoDB when a replica set is
 * reachable, from MONGO_URL or else from mongodb-memory-server when it can obtain a binary.
 * When MongoDB is not available the reason is printed once, plainly, so a green run never
 * hides that half the contract was not exercised.
 */
export interface BackendFactory {
  name: 'sqlite' | 'mongodb';
  /** A fresh, empty backend (its own file or database). */
  open(): Promise<Backend>;
  /** Removes what `open` created. */
  dispose(backend: Backend): Promise<void>;
  /** Where a second process finds the same data (test/support/store-racer.ts). */
  racerTarget(backend: Backend): { dataDir: string } | { mongoUrl: string };
}

/** What `open` created the backend on, kept for dispose and for a second process. */
const origins = new WeakMap<Backend, { dir?: string; url?: string }>();

const silent = pino({ level: 'silent' });

const sqliteFactory: BackendFactory = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'tc-contract-'));
    const backend = await openBackend({ mongoUrl: undefined, dataDir: dir }, silent);
    origins.set(backend, { dir });
    return backend;
  },
  async dispose(backend) {
    await backend.close();
    const dir = origins.get(backend)?.dir;
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
  racerTarget(backend) {
    const dir = origins.get(backend)?.dir;
    if (!dir) throw new Error('racerTarget: not a backend this factory opened');
    return { dataDir: dir };
  },
};

/** The MongoDB factory, or null when the global setup (test/support/global-setup.ts) found none. */
export function mongoFactory(): BackendFactory | null {
  const found = inject('mongo');
  if ('skipped' in found) return null;
  return {
    name: 'mongodb',
    async open() {
      const base = new URL(found.url);
      base.pathname = `/tc_contract_${randomBytes(5).toString('hex')}`;
      const backend = await openBackend({ mongoUrl: base.toString(), dataDir: tmpdir() }, silent);
      origins.set(backend, { url: base.toString() });
      return backend;
    },
    racerTarget(backend) {
      const url = origins.get(backend)?.url;
      if (!url) throw new Error('racerTarget: not a backend this factory opened');
      return { mongoUrl: url };
    },
    async dispose(backend) {
      if (backend.kind === 'mongodb') await backend.connection.dropDatabase().catch(() => undefined);
      await backend.close();
    },
  };
}

/** Why MongoDB is skipped, or null when it runs. */
export function mongoSkipReason(): string | null {
  const found = inject('mongo');
  return 'skipped' in found ? found.skipped : null;
}

/**
 * The factories for `describe.each`-style contract suites. Top-level await in the test file:
 *   const backends = await contractBackends('records');
 */
export async function contractBackends(suite: string): Promise<BackendFactory[]> {
  const mongo = mongoFactory();
  if (!mongo) {
    const reason = mongoSkipReason();
    console.warn(`[contract:${suite}] MongoDB half SKIPPED: ${reason}. Ran on SQLite only.`);
    return [sqliteFactory];
  }
  return [sqliteFactory, mongo];
}
