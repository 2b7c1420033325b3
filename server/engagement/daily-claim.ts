import type { AwardOutcome } from '../../shared/events.js';
import type { EconomyConfig } from '../economy/config/schema.js';
import { claimDailyLogin, effectiveStreak, missedDays } from '../economy/rules/streak.js';
import { utcDayEndMs, utcDayKey, utcMonthKey } from '../economy/rules/periods.js';
import type { AwardService } from '../earning/award-service.js';
import type { StreakSource } from '../earning/streak-source.js';
import { AppError } from '../lib/app-error.js';
import type { StreakFreezes } from '../shop/streak-freeze.js';
import type { EngagementStore, LoginRecord } from './ports.js';

/** What `POST /api/tokens/claim-daily` answers. */
export interface DailyClaimResult {
  streak: number;
  longestStreak: number;
  award: AwardOutcome;
  weeklyStreakAward?: AwardOutcome;
  monthlyActiveAward?: AwardOutcome;
  /** Start of the next UTC day: the earliest next claim. */
  nextClaimAt: string;
  /** Issue 13: present (true) when a streak freeze was used up to cover one missed day (the streak went on). */
  freezeUsed?: true;
}

/** Award reasons that mean the award could not be decided at all: the claim is undone. */
const INFRASTRUCTURE: ReadonlySet<AwardOutcome['reason']> = new Set(['CAPS_UNAVAILABLE', 'LEDGER_UNAVAILABLE']);

export const dailyKeys = {
  dailyLogin: (userId: string, day: string) => `earn:daily_login:${userId}:${day}`,
  weeklyStreak: (userId: string, day: string) => `earn:weekly_streak:${userId}:${day}`,
  monthlyActive: (userId: string, month: string) => `earn:monthly_active:${userId}:${month}`,
};

/**
 * The daily-login claim: the state moves first (a compare-and-set, so two concurrent claims of
 * one day cannot both win), then daily_login, weekly_streak and monthly_active are paid through
 * the award pipeline with keys derived from the day / month. If the pipeline cannot decide
 * (counters or ledger down) the state is put back and the request fails with 503, so the user
 * may claim again later.
 */
export async function claimDaily(
  deps: { store: EngagementStore; awards: AwardService; freezes?: StreakFreezes },
  userId: string,
  at: Date,
  config: EconomyConfig,
): Promise<{ result: DailyClaimResult; state: LoginRecord }> {
  const nextClaimAt = new Date(utcDayEndMs(at)).toISOString();
  const prev = await deps.store.login(userId);
  let claim = claimDailyLogin(prev, at, config);
  if (claim.status === 'already_claimed') throw new AppError('ALREADY_CLAIMED', 'The daily login was already claimed today', { nextClaimAt });
  // Issue 13: exactly one missed day and a streak freeze held: the streak goes on. The claim's
  // compare-and-set below lets one claim of the day through, so only that one uses a freeze.
  const freezes = deps.freezes;
  const tryFreeze = freezes !== undefined && prev.streakDays > 0 && missedDays(prev, at) === 1 && (await freezes.holds(userId, at));
  if (tryFreeze) claim = claimDailyLogin(prev, at, config, 1);
  if (claim.status === 'already_claimed') throw new AppError('ALREADY_CLAIMED', 'The daily login was already claimed today', { nextClaimAt });
  let state: LoginRecord = { ...claim.state, dailyLoginsClaimed: prev.dailyLoginsClaimed + 1 };
  if (!(await deps.store.saveLogin(userId, prev.lastClaimDay, state))) {
    throw new AppError('ALREADY_CLAIMED', 'The daily login was already claimed today', { nextClaimAt });
  }
  let freezeUsed = false;
  if (tryFreeze) {
    freezeUsed = await freezes.useOne(userId, at);
    if (!freezeUsed) {
      // A refund took the last freeze between the read and the use: the claim stands without it.
      const plain = claimDailyLogin(prev, at, config);
      if (plain.status === 'claimed') {
        const without: LoginRecord = { ...plain.state, dailyLoginsClaimed: state.dailyLoginsClaimed };
        if (await deps.store.saveLogin(userId, state.lastClaimDay, without)) state = without;
        claim = plain;
      }
    }
  }
  const day = utcDayKey(at);
  const award = await deps.awards.grant({ userId, activity: 'daily_login', idempotencyKey: dailyKeys.dailyLogin(userId, day), at });
  if (INFRASTRUCTURE.has(award.reason)) {
    await deps.store.saveLogin(userId, state.lastClaimDay, prev);
    throw new AppError(award.reason === 'CAPS_UNAVAILABLE' ? 'CAPS_UNAVAILABLE' : 'SERVICE_UNAVAILABLE', 'The daily login cannot be paid right now; try again', { nextClaimAt: null });
  }
  const result: DailyClaimResult = { streak: state.streakDays, longestStreak: state.longestStreakDays, award, nextClaimAt, ...(freezeUsed ? { freezeUsed: true as const } : {}) };
  if (claim.weeklyStreak) {
    result.weeklyStreakAward = await deps.awards.grant({ userId, activity: 'weekly_streak', idempotencyKey: dailyKeys.weeklyStreak(userId, day), at, metadata: { streak: state.streakDays } });
  }
  if (claim.monthlyActive) {
    const month = utcMonthKey(at);
    result.monthlyActiveAward = await deps.awards.grant({ userId, activity: 'monthly_active', idempotencyKey: dailyKeys.monthlyActive(userId, month), at, metadata: { days: state.activeMonthDays } });
  }
  return { result, state };
}

/** The StreakSource the award pipeline reads for the streak multiplier. */
export function loginStreakSource(store: EngagementStore): StreakSource {
  return {
    async streakDays(userId, at) {
      return effectiveStreak(await store.login(userId), at);
    },
  };
}
