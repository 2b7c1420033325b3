import type { EconomyConfig } from '../config/schema.js';
import { dayKeyDistance, utcDayKey, utcMonthKey } from './periods.js';

/** What the daily-login claim remembers per user. */
export interface LoginState {
  /** UTC day key of the last claim, null before the first. */
  lastClaimDay: string | null;
  streakDays: number;
  longestStreakDays: number;
  /** Month key the counter below belongs to. */
  activeMonth: string | null;
  /** Distinct UTC days with a claim in `activeMonth`. */
  activeMonthDays: number;
  /** Month key for which monthly_active was last paid. */
  monthlyActivePaidFor: string | null;
}

export const EMPTY_LOGIN_STATE: LoginState = {
  lastClaimDay: null,
  streakDays: 0,
  longestStreakDays: 0,
  activeMonth: null,
  activeMonthDays: 0,
  monthlyActivePaidFor: null,
};

export type DailyClaim =
  | { status: 'already_claimed'; state: LoginState }
  | {
      status: 'claimed';
      state: LoginState;
      /** True when the streak just reached a multiple of 7: pay weekly_streak. */
      weeklyStreak: boolean;
      /** True on the claim that makes this month qualify: pay monthly_active (once a month). */
      monthlyActive: boolean;
    };

/**
 * A daily-login claim at `at`. Same UTC day as the last claim: already claimed. The next UTC day:
 * streak + 1. A gap of a day or more: the streak restarts at 1. weekly_streak triggers each 7
 * consecutive days (7, 14, 21, ...). monthly_active triggers on the claim that brings the distinct
 * claim days of the UTC calendar month to `config.monthlyActive.minDays`, once per month.
 * `frozenDays` (issue 13, the streak freeze): missed days a freeze covers, so a claim that many
 * days later than the next day still continues the streak (the caller decides and uses the freeze).
 */
export function claimDailyLogin(prev: LoginState, at: Date, config: EconomyConfig, frozenDays = 0): DailyClaim {
  const today = utcDayKey(at);
  if (prev.lastClaimDay === today) return { status: 'already_claimed', state: prev };
  if (prev.lastClaimDay !== null && dayKeyDistance(prev.lastClaimDay, today) < 0) {
    // A clock that went backwards must not let a day be claimed twice.
    return { status: 'already_claimed', state: prev };
  }
  const consecutive = prev.lastClaimDay !== null && dayKeyDistance(prev.lastClaimDay, today) === 1 + frozenDays;
  const streakDays = consecutive ? prev.streakDays + 1 : 1;
  const month = utcMonthKey(at);
  const activeMonthDays = prev.activeMonth === month ? prev.activeMonthDays + 1 : 1;
  const monthlyActive = activeMonthDays >= config.monthlyActive.minDays && prev.monthlyActivePaidFor !== month;
  const state: LoginState = {
    lastClaimDay: today,
    streakDays,
    longestStreakDays: Math.max(prev.longestStreakDays, streakDays),
    activeMonth: month,
    activeMonthDays,
    monthlyActivePaidFor: monthlyActive ? month : prev.monthlyActivePaidFor,
  };
  return { status: 'claimed', state, weeklyStreak: streakDays % 7 === 0, monthlyActive };
}

/**
 * Whole UTC days missed between the last claim and a claim at `at` (0 the next day, 1 after one
 * day without a claim); 0 before the first claim. A streak freeze covers exactly one (issue 13).
 */
export function missedDays(prev: Pick<LoginState, 'lastClaimDay'>, at: Date): number {
  if (prev.lastClaimDay === null) return 0;
  return Math.max(0, dayKeyDistance(prev.lastClaimDay, utcDayKey(at)) - 1);
}

/**
 * The streak that counts for multipliers at `at`: the stored streak if the last claim was today
 * or yesterday (the user may still claim today), else 0 (the streak is broken).
 */
export function effectiveStreak(state: Pick<LoginState, 'lastClaimDay' | 'streakDays'>, at: Date): number {
  if (state.lastClaimDay === null) return 0;
  const gap = dayKeyDistance(state.lastClaimDay, utcDayKey(at));
  return gap >= 0 && gap <= 1 ? state.streakDays : 0;
}
