import { BoundedCache } from './bounded-cache.js';

/** How long an exact count of a user's messages lets this node skip the query (other nodes' messages are unseen here). */
export const MESSAGE_COUNT_REFRESH_MS = 30_000;
/** Users whose estimate is kept. */
const MESSAGE_COUNT_USERS_MAX = 10_000;

/**
 * Per-user count of messages sent, so the message achievements need not run `countByAuthor` (a
 * scan of the user's messages) on every message. An exact count read from the store is kept with
 * the time it was read; each message this node stores adds one. Messages are never deleted, so
 * the estimate is at most the true count when only this node took the user's messages (and
 * below it when other nodes took some). The engine queries the store whenever the estimate
 * reaches the next locked threshold or the exact count is older than MESSAGE_COUNT_REFRESH_MS:
 * an achievement is only ever unlocked on an exact count, on one node at the very message that
 * reaches it, and with several nodes at most that refresh interval of activity late.
 */
export class MessageCountEstimate {
  /** `exact` as last read, `value` = exact + messages stored here since. */
  private readonly counts = new BoundedCache<{ exact: number; value: number; readAtMs: number }>(MESSAGE_COUNT_USERS_MAX);

  constructor(private readonly refreshMs = MESSAGE_COUNT_REFRESH_MS) {}

  /** An exact count just read from the store. */
  exact(userId: string, value: number, nowMs: number): void {
    this.counts.set(userId, { exact: value, value, readAtMs: nowMs });
  }

  /** One more message of the user was stored on this node. */
  sent(userId: string): void {
    const c = this.counts.get(userId);
    if (c) c.value += 1;
  }

  /**
   * The estimate when it may stand in for the store, or null: read the store. It may when the
   * exact count is fresh and the estimate is below the first of `thresholds` above that exact
   * count: the read that produced it let the engine unlock everything up to it, so no locked
   * threshold can have been reached through this node's messages since.
   */
  usable(userId: string, nowMs: number, thresholds: readonly number[]): number | null {
    const c = this.counts.get(userId);
    if (!c || nowMs - c.readAtMs >= this.refreshMs) return null;
    let next = Infinity;
    for (const t of thresholds) if (t > c.exact && t < next) next = t;
    return c.value < next ? c.value : null;
  }
}
