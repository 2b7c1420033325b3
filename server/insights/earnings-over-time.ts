import type { EarningsOverTime } from '../../shared/analytics.js';
import { utcDayStartMs } from '../economy/rules/periods.js';
import type { DailyActivitySum, LedgerQueries } from '../ledger/ports.js';
import { EARNING_KINDS } from './analytics.js';

const DAY_MS = 86_400_000;

/** The `count` UTC days ending with the one of `at`, oldest first (YYYY-MM-DD). */
export function utcDaysEnding(at: Date, count: number): string[] {
  const today = utcDayStartMs(at);
  return Array.from({ length: count }, (_, i) => new Date(today - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/** Rows of per-day sums laid out on `days` (pure): one array per activity, zeros where a day had none. */
export function dailySeries(rows: readonly DailyActivitySum[], days: readonly string[]): EarningsOverTime {
  const index = new Map(days.map((d, i) => [d, i]));
  const byActivity: Record<string, number[]> = {};
  const totals = days.map(() => 0);
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined) continue;
    const series = (byActivity[r.activity] ??= days.map(() => 0));
    series[i] = (series[i] ?? 0) + r.total;
    totals[i] = (totals[i] ?? 0) + r.total;
  }
  return { days: [...days], byActivity, totals };
}

/**
 * Earning by activity over time (admin dashboard): what earning entries credited users on each
 * of the last `days` UTC days, today included (so far). One grouped read of the ledger's legs.
 */
export async function earningsOverTime(ledger: Pick<LedgerQueries, 'allUsersDailySumsByActivity'>, at: Date, days: number): Promise<EarningsOverTime> {
  const span = utcDaysEnding(at, days);
  const since = new Date(`${span[0]}T00:00:00.000Z`);
  const rows = await ledger.allUsersDailySumsByActivity({ direction: 'credit', kinds: EARNING_KINDS, since });
  return dailySeries(rows, span);
}
