/**
 * Latency samples in a growable Float64Array with a hard ceiling, and exact percentiles over
 * them (nearest-rank on a sorted copy). No histogram buckets: the bench keeps every sample, so
 * p99 is the real 99th value, not an interpolation.
 */
export class SampleBuffer {
  private data: Float64Array;
  private length = 0;
  /** Samples refused because the ceiling was reached (reported, never silently lost). */
  dropped = 0;

  constructor(
    initialCapacity = 4096,
    private readonly capacityMax = 4_000_000,
  ) {
    this.data = new Float64Array(Math.min(initialCapacity, capacityMax));
  }

  get count(): number {
    return this.length;
  }

  add(valueMs: number): void {
    if (this.length === this.data.length) {
      if (this.data.length >= this.capacityMax) {
        this.dropped++;
        return;
      }
      const grown = new Float64Array(Math.min(this.data.length * 2, this.capacityMax));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = valueMs;
  }

  /** Appends every sample of another buffer (and its dropped count). */
  addAll(other: SampleBuffer): void {
    const values = other.data.subarray(0, other.length);
    for (let i = 0; i < values.length; i++) this.add(values[i]!);
    this.dropped += other.dropped;
  }

  /** A sorted copy of the samples (typed-array sort is numeric). */
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }

  summary(): LatencySummary {
    return summarize(this.sorted(), this.dropped);
  }
}

export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Samples beyond the buffer ceiling (0 in any sane run). */
  dropped: number;
}

/** Nearest-rank percentile of an ascending array: the smallest value with at least p% at or below it. */
export function percentile(sortedAsc: Float64Array, p: number): number | null {
  if (sortedAsc.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sortedAsc.length);
  return sortedAsc[Math.min(rank, sortedAsc.length) - 1] ?? null;
}

function summarize(sortedAsc: Float64Array, dropped: number): LatencySummary {
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 100) / 100);
  return {
    count: sortedAsc.length,
    p50Ms: round(percentile(sortedAsc, 50)),
    p90Ms: round(percentile(sortedAsc, 90)),
    p99Ms: round(percentile(sortedAsc, 99)),
    maxMs: round(sortedAsc.length ? (sortedAsc[sortedAsc.length - 1] ?? null) : null),
    dropped,
  };
}
