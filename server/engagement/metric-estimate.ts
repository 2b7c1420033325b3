import { BoundedCache } from './bounded-cache.js';

/** How long an exact value lets this node skip the store (other nodes' activity is unseen here). */
export const METRIC_REFRESH_MS = 30_000;
/** Users whose estimate is kept, per metric. */
const METRIC_USERS_MAX = 10_000;

/**
 * A per-user estimate of an achievement metric that only grows (messages sent: messages are
 * never deleted; lifetime earned: lifetime counters never drop), so the achievements need not
 * query the store after every message (`countByAuthor` scans the user's messages; the ledger
 * account is one more read). The last exact value read from the store is kept with the time it
 * was read, and what this node itself adds (a message stored, an award credited) is added to it.
 *
 * The estimate stands in for the store only while it is fresh and below the first threshold
 * above the exact value. Since the metric never drops, the exact value is a true lower bound
 * and every threshold up to it was unlocked from that read; no threshold lies between it and the
 * estimate. So an achievement is only ever unlocked on a value read from the store. Activity
 * this node does not see (other nodes, credits outside awards) makes the estimate low, which
 * can delay an unlock by at most METRIC_REFRESH_MS of the user's activity, never cause a wrong
 * one; a double count makes it high, which only causes an earlier store read.
 */
export class MetricEstimate {
  /** `exact` as last read, `value` = exact + what this node added since. */
  private readonly values = new BoundedCache<{ exact: number; value: number; readAtMs: number }>(METRIC_USERS_MAX);

  constructor(private readonly refreshMs = METRIC_REFRESH_MS) {}

  /** A value just read from the store. */
  exact(userId: string, value: number, nowMs: number): void {
    this.values.set(userId, { exact: value, value, readAtMs: nowMs });
  }

  /** This node just moved the metric by `by`. */
  add(userId: string, by: number): void {
    const c = this.values.get(userId);
    if (c) c.value += by;
  }

  /** The estimate when it may stand in for the store (see the class), or null: read the store. */
  usable(userId: string, nowMs: number, thresholds: readonly number[]): number | null {
    const c = this.values.get(userId);
    if (!c || nowMs - c.readAtMs >= this.refreshMs) return null;
    let next = Infinity;
    for (const t of thresholds) if (t > c.exact && t < next) next = t;
    return c.value < next ? c.value : null;
  }
}
