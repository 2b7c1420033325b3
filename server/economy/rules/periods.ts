/**
 * Calendar periods, all in UTC: the day key `2026-01-05`, the ISO-8601 week key `2026-W02`
 * (weeks start Monday; week 1 holds the year's first Thursday) and the month key `2026-01`.
 */

const DAY_MS = 86_400_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD` of the UTC day containing `at`. */
export function utcDayKey(at: Date): string {
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
}

/** `YYYY-MM` of the UTC month containing `at`. */
export function utcMonthKey(at: Date): string {
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}`;
}

/** ISO week year and number of `at` in UTC. */
export function isoWeek(at: Date): { year: number; week: number } {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(day + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return { year, week };
}

/** `YYYY-Www` of the ISO week (UTC) containing `at`. */
export function isoWeekKey(at: Date): string {
  const { year, week } = isoWeek(at);
  return `${year}-W${pad(week)}`;
}

/** Start of the UTC day containing `at`, in ms. */
export function utcDayStartMs(at: Date): number {
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
}

/** End (exclusive) of the UTC day containing `at`, in ms. */
export function utcDayEndMs(at: Date): number {
  return utcDayStartMs(at) + DAY_MS;
}

/** End (exclusive) of the ISO week containing `at`: the next Monday 00:00 UTC, in ms. */
export function isoWeekEndMs(at: Date): number {
  const weekday = (at.getUTCDay() + 6) % 7;
  return utcDayStartMs(at) + (7 - weekday) * DAY_MS;
}

/** Whole UTC days from the day of `a` to the day of `b` (negative if b is earlier). */
export function utcDaysBetween(a: Date, b: Date): number {
  return Math.round((utcDayStartMs(b) - utcDayStartMs(a)) / DAY_MS);
}

/** Days between two day keys (`YYYY-MM-DD`). */
export function dayKeyDistance(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Saturday or Sunday in UTC. */
export function isUtcWeekend(at: Date): boolean {
  const d = at.getUTCDay();
  return d === 0 || d === 6;
}
