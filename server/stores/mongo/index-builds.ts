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

/**
 * A registry of its own: one per opened MongoDB backend (server/stores/backend.ts), handed to every
 * store factory built over that connection and read by the records' `ping()` (/readyz), so two
 * apps in one process never share a build and no module state is involved.
 */
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
