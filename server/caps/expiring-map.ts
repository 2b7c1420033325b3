/**
 * The in-process store of the embedded default: a Map whose entries die at a time measured on
 * the caller's clock (passed in, so a ManualClock drives expiry in tests). Expired entries are
 * invisible at once and swept at most once per `sweepEveryMs` of that clock. Single node only.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAtMs: number }>();
  private nextSweepMs = -Infinity;

  constructor(private readonly sweepEveryMs = 60_000) {}

  get(key: string, nowMs: number): V | undefined {
    this.maybeSweep(nowMs);
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAtMs <= nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, expiresAtMs: number): void {
    this.entries.set(key, { value, expiresAtMs });
  }

  /** When `key` dies, or undefined if it is not held. */
  expiresAt(key: string): number | undefined {
    return this.entries.get(key)?.expiresAtMs;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Live and not yet swept entries (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private maybeSweep(nowMs: number): void {
    if (nowMs < this.nextSweepMs) return;
    this.nextSweepMs = nowMs + this.sweepEveryMs;
    for (const [k, e] of this.entries) if (e.expiresAtMs <= nowMs) this.entries.delete(k);
  }
}
