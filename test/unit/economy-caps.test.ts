import { describe, expect, it } from 'vitest';
import { loadEconomyConfig } from '../../server/economy/config/index.js';
import { capLimitsFor, decideCap, remainingCaps } from '../../server/economy/rules/index.js';

const limits = { activityEventsMax: 100, dailyTokensMax: 500, weeklyTokensMax: 3000 };

describe('cap decision', () => {
  it('grants in full below every cap and counts the event', () => {
    expect(decideCap(3, { activityEvents: 0, dailyTokens: 0, weeklyTokens: 0 }, limits)).toEqual({ granted: 3, eventsAdded: 1 });
    expect(decideCap(3, { activityEvents: 99, dailyTokens: 497, weeklyTokens: 0 }, limits)).toEqual({ granted: 3, eventsAdded: 1 });
  });

  it('the event cap grants nothing and records nothing', () => {
    expect(decideCap(1, { activityEvents: 100, dailyTokens: 0, weeklyTokens: 0 }, limits)).toEqual({ granted: 0, reason: 'ACTIVITY_CAP', eventsAdded: 0 });
  });

  it('no event cap (null) only applies the totals', () => {
    expect(decideCap(10, { activityEvents: 10_000, dailyTokens: 0, weeklyTokens: 0 }, { ...limits, activityEventsMax: null })).toEqual({ granted: 10, eventsAdded: 1 });
  });

  it('partial grant at the daily total', () => {
    expect(decideCap(10, { activityEvents: 0, dailyTokens: 496, weeklyTokens: 496 }, limits)).toEqual({ granted: 4, reason: 'DAILY_CAP', eventsAdded: 1 });
    expect(decideCap(10, { activityEvents: 0, dailyTokens: 500, weeklyTokens: 500 }, limits)).toEqual({ granted: 0, reason: 'DAILY_CAP', eventsAdded: 0 });
  });

  it('partial grant at the weekly total when the week is tighter', () => {
    expect(decideCap(10, { activityEvents: 0, dailyTokens: 100, weeklyTokens: 2995 }, limits)).toEqual({ granted: 5, reason: 'WEEKLY_CAP', eventsAdded: 1 });
    expect(decideCap(10, { activityEvents: 0, dailyTokens: 0, weeklyTokens: 3000 }, limits)).toEqual({ granted: 0, reason: 'WEEKLY_CAP', eventsAdded: 0 });
  });

  it('a zero award (all carried) still counts the event', () => {
    expect(decideCap(0, { activityEvents: 0, dailyTokens: 500, weeklyTokens: 500 }, limits)).toEqual({ granted: 0, eventsAdded: 1 });
  });

  it('remaining for check-cap', () => {
    expect(remainingCaps({ activityEvents: 40, dailyTokens: 480, weeklyTokens: 2990 }, limits)).toEqual({ activityEvents: 60, dailyTokens: 20, weeklyTokens: 10, tokens: 10 });
    expect(remainingCaps({ activityEvents: 100, dailyTokens: 0, weeklyTokens: 0 }, limits).tokens).toBe(0);
    expect(remainingCaps({ activityEvents: 3, dailyTokens: 0, weeklyTokens: 0 }, { ...limits, activityEventsMax: null }).activityEvents).toBeNull();
  });

  it('limits come from the config per activity', () => {
    expect(capLimitsFor('send_message', loadEconomyConfig())).toEqual(limits);
    expect(capLimitsFor('share_file', loadEconomyConfig({ preset: 'recommended' })).activityEventsMax).toBe(30);
    expect(capLimitsFor('daily_login', loadEconomyConfig()).activityEventsMax).toBeNull();
  });
});
