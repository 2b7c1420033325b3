import type { Connection } from 'mongoose';

/**
 * Index builds that are retried instead of cached as failed, and that /readyz can see.
 *
 * The unique indexes carry the stores' guarantees (one entry per idempotency key, one username),
 * so no write may run before they exist. A build that fails (the server stepped down, a timeout)
 * used to stay failed until the process restarted while /readyz stayed green. Now a failed build
 * is run again by the next call that needs it, and the records' `ping()` (what /readyz calls)
 * runs every registered build first: the node reports not ready until its indexes exist, and a
 * readiness probe is what retries them when no traffic does.
 *
 * The registry is per connection (a WeakMap keyed by the Connection object, so it goes away with
 * it): two apps in one process have two connections and never share a build.
 */
const registries = new WeakMap<Connection, Map<string, () => Promise<void>>>();

/**
 * Registers `build` under `name` on `connection` and returns its `ensure()`: resolves at once
 * after a success, joins a build in progress, and starts a new attempt after a failure.
 */
export function retriedBuild(connection: Connection, name: string, build: () => Promise<void>): () => Promise<void> {
  let built = false;
  let running: Promise<void> | undefined;
  const ensure = (): Promise<void> => {
    if (built) return Promise.resolve();
    running ??= build()
      .then(() => {
        built = true;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  let registry = registries.get(connection);
  if (!registry) registries.set(connection, (registry = new Map()));
  registry.set(name, ensure);
  return ensure;
}

/** Runs (or retries) every build registered on `connection`; rejects naming the ones that failed. */
export async function ensureIndexBuilds(connection: Connection): Promise<void> {
  const registry = registries.get(connection);
  if (!registry) return;
  const names = [...registry.keys()];
  const results = await Promise.allSettled([...registry.values()].map((ensure) => ensure()));
  const failed = names.filter((_, i) => results[i]?.status === 'rejected');
  if (failed.length > 0) {
    const first = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    throw new Error(`MongoDB index builds not done: ${failed.join(', ')}`, { cause: first.reason });
  }
}
