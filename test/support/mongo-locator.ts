/**
 * Finds a MongoDB replica set for the contract suites: MONGO_URL, or else one started by
 * mongodb-memory-server when it can obtain a binary (MONGO_MEMORY=0 turns the attempt off).
 * Runs once per test run, in vitest's global setup, so workers share one answer.
 */
export type MongoAvailability = { url: string } | { skipped: string };

export interface LocatedMongo {
  availability: MongoAvailability;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;

export async function locateMongo(env: NodeJS.ProcessEnv = process.env): Promise<LocatedMongo> {
  const noop = async (): Promise<void> => undefined;
  const fromEnv = env['MONGO_URL'];
  if (fromEnv) return { availability: { url: fromEnv }, stop: noop };
  if (env['MONGO_MEMORY'] === '0') {
    return { availability: { skipped: 'MONGO_URL is not set and MONGO_MEMORY=0 disables mongodb-memory-server' }, stop: noop };
  }
  // mongodb-memory-server reports a failed download with several stack traces on the console;
  // they are held back so the run shows one plain SKIPPED line (with the reason) instead.
  const held: unknown[][] = [];
  const { warn, error } = console;
  console.warn = (...args: unknown[]) => void held.push(args);
  console.error = (...args: unknown[]) => void held.push(args);
  let timer: NodeJS.Timeout | undefined;
  try {
    const { MongoMemoryReplSet } = await import('mongodb-memory-server-core');
    const start = MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' } });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no replica set after ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
    const replSet = await Promise.race([start, timeout]);
    return { availability: { url: replSet.getUri() }, stop: async () => void (await replSet.stop()) };
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim().slice(0, 200);
    return { availability: { skipped: `MONGO_URL is not set and mongodb-memory-server could not start a replica set (${reason})` }, stop: noop };
  } finally {
    clearTimeout(timer);
    console.warn = warn;
    console.error = error;
    if (env['MONGO_MEMORY_DEBUG'] === '1') for (const args of held) warn(...args);
  }
}
