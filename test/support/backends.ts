import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
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
}

const silent = pino({ level: 'silent' });
let mongoUrlPromise: Promise<{ url: string } | { skipped: string }> | undefined;
let memoryServer: { stop(): Promise<unknown> } | undefined;

const sqliteFactory: BackendFactory = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'tc-contract-'));
    const backend = await openBackend({ mongoUrl: undefined, dataDir: dir }, silent);
    (backend as Backend & { dir?: string }).dir = dir;
    return backend;
  },
  async dispose(backend) {
    await backend.close();
    const dir = (backend as Backend & { dir?: string }).dir;
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
};

async function findMongo(): Promise<{ url: string } | { skipped: string }> {
  const fromEnv = process.env['MONGO_URL'];
  if (fromEnv) return { url: fromEnv };
  if (process.env['MONGO_MEMORY'] === '0') return { skipped: 'MONGO_URL is not set and MONGO_MEMORY=0 disables mongodb-memory-server' };
  try {
    const { MongoMemoryReplSet } = await import('mongodb-memory-server-core');
    const start = MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' } });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no binary after 20 s')), 20_000));
    const replSet = await Promise.race([start, timeout]);
    memoryServer = replSet;
    return { url: replSet.getUri() };
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { skipped: `MONGO_URL is not set and mongodb-memory-server could not start a replica set (${reason})` };
  }
}

/** Resolves the MongoDB factory, or null with the skip reason printed once per worker. */
export async function mongoFactory(): Promise<BackendFactory | null> {
  mongoUrlPromise ??= findMongo();
  const found = await mongoUrlPromise;
  if ('skipped' in found) return null;
  return {
    name: 'mongodb',
    async open() {
      const base = new URL(found.url);
      base.pathname = `/tc_contract_${randomBytes(5).toString('hex')}`;
      return openBackend({ mongoUrl: base.toString(), dataDir: tmpdir() }, silent);
    },
    async dispose(backend) {
      if (backend.kind === 'mongodb') await backend.connection.dropDatabase().catch(() => undefined);
      await backend.close();
    },
  };
}

/** Why MongoDB is skipped, or null when it runs. */
export async function mongoSkipReason(): Promise<string | null> {
  mongoUrlPromise ??= findMongo();
  const found = await mongoUrlPromise;
  return 'skipped' in found ? found.skipped : null;
}

/**
 * The factories for `describe.each`-style contract suites. Top-level await in the test file:
 *   const backends = await contractBackends('records');
 */
export async function contractBackends(suite: string): Promise<BackendFactory[]> {
  const mongo = await mongoFactory();
  if (!mongo) {
    const reason = await mongoSkipReason();
    console.warn(`[contract:${suite}] MongoDB half SKIPPED: ${reason}. Ran on SQLite only.`);
    return [sqliteFactory];
  }
  return [sqliteFactory, mongo];
}

export async function stopMemoryServer(): Promise<void> {
  await memoryServer?.stop();
}
