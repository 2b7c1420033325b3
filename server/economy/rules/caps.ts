import type { ActivityId, EconomyConfig } from '../config/schema.js';

/**
 * The cap decision, shared by both CapCounter adapters (the Redis Lua script mirrors it line for
 * line; test/integration/caps-counter.test.ts runs one suite on both).
 *
 * 1. The activity's event cap counts events per UTC day: at the cap, nothing is granted and
 *    nothing is recorded (ACTIVITY_CAP).
 * 2. Otherwise the grant is the amount bounded by what is left of the daily and the weekly token
 *    totals. A partial grant names the binding cap (DAILY_CAP if the day is as tight or tighter,
 *    else WEEKLY_CAP).
 * 3. A positive amount with no room left grants 0 and records nothing. Otherwise the event is
 *    counted and the granted tokens are added to both totals.
 */

export type CapReason = 'ACTIVITY_CAP' | 'DAILY_CAP' | 'WEEKLY_CAP';

export interface CapLimits {
  /** Events per UTC day for this activity; null = no event cap. */
  activityEventsMax: number | null;
  dailyTokensMax: number;
  weeklyTokensMax: number;
}

export interface CapUsage {
  activityEvents: number;
  dailyTokens: number;
  weeklyTokens: number;
}

export interface CapDecision {
  granted: number;
  reason?: CapReason;
  /** Events to add to the activity counter (0 or 1). */
  eventsAdded: number;
}

export function decideCap(amount: number, usage: CapUsage, limits: CapLimits): CapDecision {
  if (limits.activityEventsMax !== null && usage.activityEvents >= limits.activityEventsMax) {
    return { granted: 0, reason: 'ACTIVITY_CAP', eventsAdded: 0 };
  }
  const dailyLeft = Math.max(0, limits.dailyTokensMax - usage.dailyTokens);
  const weeklyLeft = Math.max(0, limits.weeklyTokensMax - usage.weeklyTokens);
  const room = Math.min(dailyLeft, weeklyLeft);
  if (amount <= room) return { granted: amount, eventsAdded: 1 };
  const reason: CapReason = dailyLeft <= weeklyLeft ? 'DAILY_CAP' : 'WEEKLY_CAP';
  if (room === 0) return { granted: 0, reason, eventsAdded: 0 };
  return { granted: room, reason, eventsAdded: 1 };
}

export interface CapRemaining {
  /** Events still paying today for this activity; null = no event cap. */
  activityEvents: number | null;
  dailyTokens: number;
  weeklyTokens: number;
  /** Tokens the next award could get at most: min(daily, weekly), 0 when the event cap is hit. */
  tokens: number;
}

/** What remains given usage and limits (for check-cap). */
export function remainingCaps(usage: CapUsage, limits: CapLimits): CapRemaining {
  const activityEvents = limits.activityEventsMax === null ? null : Math.max(0, limits.activityEventsMax - usage.activityEvents);
  const dailyTokens = Math.max(0, limits.dailyTokensMax - usage.dailyTokens);
  const weeklyTokens = Math.max(0, limits.weeklyTokensMax - usage.weeklyTokens);
  return { activityEvents, dailyTokens, weeklyTokens, tokens: activityEvents === 0 ? 0 : Math.min(dailyTokens, weeklyTokens) };
}

/** The limits of `activity` in `config`. */
export function capLimitsFor(activity: ActivityId, config: EconomyConfig): CapLimits {
  return {
    activityEventsMax: config.caps.activityDailyEvents[activity],
    dailyTokensMax: config.caps.dailyTotalTokens,
    weeklyTokensMax: config.caps.weeklyTotalTokens,
  };
}
