/**
 * Runs tasks one at a time per key, in arrival order; different keys run concurrently. The award
 * path reads a user's carry, computes, and writes the new carry with the ledger entry: two awards
 * of one user interleaving would both start from the same carry and lose a remainder. Secret
 * checks (PIN, login) use it so a burst of parallel guesses is judged one at a time against the
 * lockout instead of all passing its check before any failure is counted.
 */
export class PerKeyQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // The map only holds keys with work pending, so it stays bounded by concurrent users.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
