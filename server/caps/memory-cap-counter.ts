import type { ActivityId } from '../economy/config/schema.js';
import { decideCap, remainingCaps, type CapLimits } from '../economy/rules/caps.js';
import { assertReserveInput, type CapCounter, type CapReservation, type CapReserveInput, type CapReserveResult, type CapUsageResult } from './cap-counter.js';
import { ExpiringMap } from './expiring-map.js';
import { DAY_KEY_TTL_SECONDS, periodKeys, WEEK_KEY_TTL_SECONDS } from './periods.js';

/** The embedded default's caps: same semantics as the Redis adapter, one process only. */
export class MemoryCapCounter implements CapCounter {
  /** `d:<day>:<user>` -> events per activity and tokens; `w:<week>:<user>` -> tokens. */
  private readonly days = new ExpiringMap<{ events: Map<string, number>; tokens: number }>();
  private readonly weeks = new ExpiringMap<number>();

  async reserve(input: CapReserveInput): Promise<CapReserveResult> {
    assertReserveInput(input);
    const { day, week } = periodKeys(input.at);
    const now = input.at.getTime();
    const dayKey = `d:${day}:${input.userId}`;
    const weekKey = `w:${week}:${input.userId}`;
    const d = this.days.get(dayKey, now) ?? { events: new Map<string, number>(), tokens: 0 };
    const weekly = this.weeks.get(weekKey, now) ?? 0;
    const usage = { activityEvents: d.events.get(input.activity) ?? 0, dailyTokens: d.tokens, weeklyTokens: weekly };
    const decision = decideCap(input.amount, usage, input.limits);
    const reservation: CapReservation = { userId: input.userId, activity: input.activity, day, week, events: decision.eventsAdded, tokens: decision.granted };
    if (decision.eventsAdded > 0) {
      usage.activityEvents += decision.eventsAdded;
      usage.dailyTokens += decision.granted;
      usage.weeklyTokens += decision.granted;
      d.events.set(input.activity, usage.activityEvents);
      d.tokens = usage.dailyTokens;
      this.days.set(dayKey, d, now + DAY_KEY_TTL_SECONDS * 1000);
      if (decision.granted > 0) this.weeks.set(weekKey, usage.weeklyTokens, now + WEEK_KEY_TTL_SECONDS * 1000);
    }
    return { granted: decision.granted, ...(decision.reason ? { reason: decision.reason } : {}), reservation, usage };
  }

  async release(r: CapReservation): Promise<void> {
    // Expiry is irrelevant here: a period that already expired has nothing left to give back to.
    const d = this.days.get(`d:${r.day}:${r.userId}`, -Infinity);
    if (d) {
      d.events.set(r.activity, Math.max(0, (d.events.get(r.activity) ?? 0) - r.events));
      d.tokens = Math.max(0, d.tokens - r.tokens);
    }
    const weekKey = `w:${r.week}:${r.userId}`;
    const w = this.weeks.get(weekKey, -Infinity);
    if (w !== undefined && r.tokens > 0) this.weeks.set(weekKey, Math.max(0, w - r.tokens), this.weekExpiry(weekKey));
  }

  async usage(input: { userId: string; activity: ActivityId; at: Date; limits: CapLimits }): Promise<CapUsageResult> {
    const { day, week } = periodKeys(input.at);
    const now = input.at.getTime();
    const d = this.days.get(`d:${day}:${input.userId}`, now);
    const usage = { activityEvents: d?.events.get(input.activity) ?? 0, dailyTokens: d?.tokens ?? 0, weeklyTokens: this.weeks.get(`w:${week}:${input.userId}`, now) ?? 0 };
    return { usage, remaining: remainingCaps(usage, input.limits), day, week };
  }

  /** Entries held (expired ones disappear as time passes); for tests. */
  get size(): number {
    return this.days.size + this.weeks.size;
  }

  private weekExpiry(key: string): number {
    return this.weeks.expiresAt(key) ?? 0;
  }
}
