/**
 * Repeated trials reduced to one figure: the median, with the spread (lowest and highest trial)
 * next to it, so a reader sees how much the figure swings between trials of one run.
 */
export interface TrialStats {
  /** Trials that gave a value (a trial without one, e.g. nothing acked, is left out). */
  n: number;
  median: number | null;
  min: number | null;
  max: number | null;
}

export function trialStats(values: ReadonlyArray<number | null>): TrialStats {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return { n: 0, median: null, min: null, max: null };
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  return { n: xs.length, median: round3(median), min: round3(xs[0]!), max: round3(xs[xs.length - 1]!) };
}

/** a / b, or null when either is missing or b is not positive. */
export function ratioOf(a: number | null, b: number | null): number | null {
  return a !== null && b !== null && b > 0 ? round3(a / b) : null;
}

/** (max - min) / median: how far apart the trials are, relative to the figure. */
export function relativeSpread(s: TrialStats): number | null {
  return s.median !== null && s.min !== null && s.max !== null && s.median > 0 ? round3((s.max - s.min) / s.median) : null;
}

/** "1.23 (1.10-1.40, 3 trials)". */
export function formatStats(s: TrialStats, digits = 2, unit = ''): string {
  if (s.median === null) return 'not measured';
  const f = (v: number): string => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${f(s.median)}${unit} (${f(s.min!)}-${f(s.max!)}, ${s.n} trial${s.n === 1 ? '' : 's'})`;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
