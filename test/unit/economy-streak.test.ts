import { describe, expect, it } from 'vitest';
import { loadEconomyConfig } from '../../server/economy/config/index.js';
import { claimDailyLogin, effectiveStreak, EMPTY_LOGIN_STATE, missedDays, type LoginState } from '../../server/economy/rules/index.js';

const config = loadEconomyConfig();

function claimOn(state: LoginState, iso: string) {
  return claimDailyLogin(state, new Date(iso), config);
}

function claimDays(start: string, days: number): { state: LoginState; weekly: number[]; monthly: number[] } {
  let state = EMPTY_LOGIN_STATE;
  const weekly: number[] = [];
  const monthly: number[] = [];
  for (let i = 0; i < days; i++) {
    const at = new Date(Date.parse(start) + i * 86_400_000);
    const r = claimDailyLogin(state, at, config);
    if (r.status !== 'claimed') throw new Error('expected a claim');
    if (r.weeklyStreak) weekly.push(r.state.streakDays);
    if (r.monthlyActive) monthly.push(i + 1);
    state = r.state;
  }
  return { state, weekly, monthly };
}

describe('daily login streak', () => {
  it('first claim starts at 1; same UTC day is already claimed', () => {
    const first = claimOn(EMPTY_LOGIN_STATE, '2026-01-05T00:00:00Z');
    expect(first).toMatchObject({ status: 'claimed', state: { streakDays: 1, lastClaimDay: '2026-01-05' } });
    expect(claimOn(first.state, '2026-01-05T23:59:59Z').status).toBe('already_claimed');
  });

  it('the next UTC day adds one, even one second later across midnight', () => {
    const a = claimOn(EMPTY_LOGIN_STATE, '2026-01-05T23:59:59Z');
    const b = claimOn(a.state, '2026-01-06T00:00:00Z');
    expect(b).toMatchObject({ status: 'claimed', state: { streakDays: 2 } });
  });

  it('a missed day resets to 1 and keeps the longest streak', () => {
    const { state } = claimDays('2026-01-01T12:00:00Z', 5);
    expect(state.streakDays).toBe(5);
    const broken = claimOn(state, '2026-01-07T12:00:00Z');
    expect(broken).toMatchObject({ status: 'claimed', state: { streakDays: 1, longestStreakDays: 5 } });
  });

  it('a clock that went backwards does not claim again', () => {
    const a = claimOn(EMPTY_LOGIN_STATE, '2026-01-05T12:00:00Z');
    expect(claimOn(a.state, '2026-01-04T12:00:00Z').status).toBe('already_claimed');
  });

  it('weekly_streak triggers on every 7th consecutive day', () => {
    expect(claimDays('2026-01-01T08:00:00Z', 22).weekly).toEqual([7, 14, 21]);
  });

  it('monthly_active triggers once, on the 20th distinct claim day of a UTC month', () => {
    expect(claimDays('2026-01-01T08:00:00Z', 31).monthly).toEqual([20]);
    // Claims from Jan 15 to Feb 10: neither month reaches 20 days.
    expect(claimDays('2026-01-15T08:00:00Z', 27).monthly).toEqual([]);
    // Jan 1..Feb 28: paid in January (day 20) and February (day 31 + 20 = 51).
    expect(claimDays('2026-01-01T08:00:00Z', 59).monthly).toEqual([20, 51]);
  });

  it('effective streak is 0 once a day was missed', () => {
    const { state } = claimDays('2026-01-01T12:00:00Z', 4);
    expect(effectiveStreak(state, new Date('2026-01-04T20:00:00Z'))).toBe(4);
    expect(effectiveStreak(state, new Date('2026-01-05T20:00:00Z'))).toBe(4);
    expect(effectiveStreak(state, new Date('2026-01-06T00:00:00Z'))).toBe(0);
    expect(effectiveStreak(EMPTY_LOGIN_STATE, new Date())).toBe(0);
  });
});

// Issue 13: the streak freeze covers exactly one missed day (the caller decides and uses it).
describe('streak freeze rule', () => {
  it('missedDays counts whole UTC days without a claim; a frozen day continues the streak, two missed days do not', () => {
    const { state } = claimDays('2026-03-01T12:00:00Z', 3);
    expect(missedDays(EMPTY_LOGIN_STATE, new Date('2026-03-04T00:00:00Z'))).toBe(0);
    expect(missedDays(state, new Date('2026-03-04T00:00:00Z'))).toBe(0);
    expect(missedDays(state, new Date('2026-03-05T23:59:59Z'))).toBe(1);
    expect(missedDays(state, new Date('2026-03-06T00:00:00Z'))).toBe(2);
    const frozen = claimDailyLogin(state, new Date('2026-03-05T08:00:00Z'), config, 1);
    expect(frozen).toMatchObject({ status: 'claimed', state: { streakDays: 4, longestStreakDays: 4, lastClaimDay: '2026-03-05' } });
    // Without the freeze the same claim restarts; a freeze of one day does not bridge two.
    expect(claimDailyLogin(state, new Date('2026-03-05T08:00:00Z'), config)).toMatchObject({ state: { streakDays: 1 } });
    expect(claimDailyLogin(state, new Date('2026-03-06T08:00:00Z'), config, 1)).toMatchObject({ state: { streakDays: 1 } });
  });
});

