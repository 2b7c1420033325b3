/**
 * Response shape of `GET /api/admin/analytics/earnings?days=N` (admins only): tokens credited to
 * users by earning entries (earn, grant, award) per UTC day and activity, from the ledger.
 */
export interface EarningsOverTime {
  /** The UTC days covered, oldest first, today last (YYYY-MM-DD); always `days` of them. */
  days: string[];
  /** Per activity, the tokens credited on each day of `days` (same order, 0 when none); activities with nothing in the span are absent. */
  byActivity: Record<string, number[]>;
  /** Per day, the sum over every activity. */
  totals: number[];
}

/** Days the earnings series covers when the caller does not say, and the most it may ask. */
export const EARNINGS_SERIES_DEFAULT_DAYS = 14;
export const EARNINGS_SERIES_MAX_DAYS = 90;
