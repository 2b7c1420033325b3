import type { EntryKind } from '../ledger/ports.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import { isoWeekEndMs, utcDayStartMs } from '../economy/rules/periods.js';

const DAY_MS = 86_400_000;

/** The UTC windows every statistic is reported for, as inclusive lower bounds. */
export function statWindows(at: Date): { today: Date; thisWeek: Date; thisMonth: Date } {
  return {
    today: new Date(utcDayStartMs(at)),
    thisWeek: new Date(isoWeekEndMs(at) - 7 * DAY_MS),
    thisMonth: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)),
  };
}

export interface WindowedSums {
  today: Record<string, number>;
  thisWeek: Record<string, number>;
  thisMonth: Record<string, number>;
  allTime: Record<string, number>;
  totals: { today: number; thisWeek: number; thisMonth: number; allTime: number };
}

const total = (sums: Record<string, number>): number => Object.values(sums).reduce((a, b) => a + b, 0);

async function windowed(ledger: Pick<LedgerService, 'sumsByActivity'>, userId: string, at: Date, query: { direction: 'credit' | 'debit'; kinds: EntryKind[] }): Promise<WindowedSums> {
  const w = statWindows(at);
  const [today, thisWeek, thisMonth, allTime] = await Promise.all([
    ledger.sumsByActivity(userId, { ...query, since: w.today }),
    ledger.sumsByActivity(userId, { ...query, since: w.thisWeek }),
    ledger.sumsByActivity(userId, { ...query, since: w.thisMonth }),
    ledger.sumsByActivity(userId, query),
  ]);
  return { today, thisWeek, thisMonth, allTime, totals: { today: total(today), thisWeek: total(thisWeek), thisMonth: total(thisMonth), allTime: total(allTime) } };
}

/**
 * Tokens earned, by activity (send_message, daily_login, achievement, ...): the user's credits
 * from earn entries, admin awards and moderator grants. Windows start at UTC midnight, Monday
 * 00:00 UTC (ISO week) and the 1st of the month 00:00 UTC; they end now.
 */
export function earningStats(ledger: Pick<LedgerService, 'sumsByActivity'>, userId: string, at: Date): Promise<WindowedSums> {
  return windowed(ledger, userId, at, { direction: 'credit', kinds: ['earn', 'award', 'grant'] });
}

/**
 * Tokens that left the user, by activity / category (a shop item id, gift, penalty, ...): debits
 * of spend, gift, penalty and decay entries. Same windows as earningStats.
 */
export function spendingStats(ledger: Pick<LedgerService, 'sumsByActivity'>, userId: string, at: Date): Promise<WindowedSums> {
  return windowed(ledger, userId, at, { direction: 'debit', kinds: ['spend', 'gift', 'penalty', 'decay'] });
}
