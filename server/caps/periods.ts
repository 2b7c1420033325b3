import { isoWeekKey, utcDayKey } from '../economy/rules/periods.js';

/**
 * How long counter keys live after their last write. A day key needs one day; the second day
 * covers a UTC day that started just before the write and clock skew between nodes. Same for
 * weeks. The in-process adapters use the same spans, measured on the passed-in time.
 */
export const DAY_KEY_TTL_SECONDS = 2 * 86_400;
export const WEEK_KEY_TTL_SECONDS = 8 * 86_400;

export interface PeriodKeys {
  day: string;
  week: string;
}

export function periodKeys(at: Date): PeriodKeys {
  return { day: utcDayKey(at), week: isoWeekKey(at) };
}
