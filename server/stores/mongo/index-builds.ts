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
 */
export interface IndexBuilds {
  /**
   * Registers `build` under `name` and returns its `ensure()`: resolves at once after a success,
   * joins a build in progress, and starts a new attempt after a failure.
   */
  register(name: string, build: () => Promise<void>): () => Promise<void>;
  /** Runs (or retries) every registered build; rejects naming the ones that failed. */
  ensureAll(): Promise<void>;
}

/** A registry of its own: one per MongoDB connection (see `indexBuildsOf`). */
export function createIndexBuilds(): IndexBuilds {
  const registry = new Map<string, () => Promise<void>>();
  return {
    register(name, build) {
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
      registry.set(name, ensure);
      return ensure;
    },
    async ensureAll() {
      const names = [...registry.keys()];
      const results = await Promise.allSettled([...registry.values()].map((ensure) => ensure()));
      const failed = names.filter((_, i) => results[i]?.status === 'rejected');
      if (failed.length > 0) {
        const first = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        throw new Error(`MongoDB index builds not done: ${failed.join(', ')}`, { cause: first.reason });
      }
    },
  };
}

const REGISTRY = Symbol('tc.indexBuilds');
type WithRegistry = Connection & { [REGISTRY]?: IndexBuilds };

/**
 * The registry of `connection`'s builds, made on first use and kept on the connection object
 * itself (issue 15: no module-level state). Every store built over one connection registers
 * there, whichever factory built it, and /readyz (`ping`) runs exactly those; two apps in one
 * process have two connections and never share a build. The stores reach it through their
 * connection because every store factory already receives that connection (the ledger and
 * market stores among them), so no factory's signature has to carry the registry too.
 */
export function indexBuildsOf(connection: Connection): IndexBuilds {
  const owner = connection as WithRegistry;
  if (!owner[REGISTRY]) Object.defineProperty(owner, REGISTRY, { value: createIndexBuilds(), enumerable: false });
  return owner[REGISTRY]!;
}

/** `indexBuildsOf(connection).register(name, build)`: how a store registers its build. */
export function retriedBuild(connection: Connection, name: string, build: () => Promise<void>): () => Promise<void> {
  return indexBuildsOf(connection).register(name, build);
}
