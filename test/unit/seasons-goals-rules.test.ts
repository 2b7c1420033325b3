import { describe, expect, it } from 'vitest';
import { currentPreset } from '../../server/economy/config/presets.js';
import { computeMultiplier } from '../../server/economy/rules/multipliers.js';
import { applyContribution, goalStatusAt, pointsFor, splitBonus } from '../../server/goals/rules.js';
import type { GoalRecord } from '../../server/goals/ports.js';
import { mayClose, rankEarners, rewardForRank, seasonAchievementsOf, seasonEvents, seasonProblems, seasonStatus, SEASON_SETTLE_MS } from '../../server/seasons/rules.js';
import type { SeasonRecord } from '../../server/seasons/ports.js';

const NOW = new Date('2026-05-06T12:00:00.000Z');
const iso = (ms: number): string => new Date(NOW.getTime() + ms).toISOString();

const season = (o: Partial<SeasonRecord> = {}): SeasonRecord => ({
  id: 's1', name: 'S', startsAt: new Date(NOW.getTime() - 1000), endsAt: new Date(NOW.getTime() + 1000), multiplier: 2, rewards: [], createdBy: 'a', createdAt: NOW, closedAt: null, paidAt: null, ...o,
});

describe('season rules', () => {
  it('validates windows, multipliers and reward tiers against the config', () => {
    const ok = { name: 'S', startsAt: iso(0), endsAt: iso(3_600_000), rewards: [{ fromRank: 1, toRank: 1, tokens: 500 }, { fromRank: 2, toRank: 10, tokens: 50 }] };
    expect(seasonProblems(ok, NOW, currentPreset)).toEqual([]);
    expect(seasonProblems({ ...ok, endsAt: iso(0) }, NOW, currentPreset).map((p) => p.field)).toEqual(['endsAt', 'endsAt']);
    expect(seasonProblems({ ...ok, multiplier: 1.2345 }, NOW, currentPreset).map((p) => p.field)).toEqual(['multiplier']);
    expect(seasonProblems({ ...ok, rewards: [{ fromRank: 5, toRank: 2, tokens: 1 }] }, NOW, currentPreset)[0]!.problem).toContain('before fromRank');
    expect(seasonProblems({ ...ok, rewards: [{ fromRank: 1, toRank: 100, tokens: 201 }] }, NOW, currentPreset)[0]!.problem).toContain('20100');
  });

  it('pays by tier, ranks by position, closes only after the settle time', () => {
    const tiers = [{ fromRank: 1, toRank: 1, tokens: 100 }, { fromRank: 2, toRank: 3, tokens: 30 }];
    expect([1, 2, 3, 4].map((r) => rewardForRank(r, tiers))).toEqual([100, 30, 30, 0]);
    expect(rankEarners('s', [{ userId: 'b', earned: 5 }, { userId: 'a', earned: 5 }]).map((s) => s.rank)).toEqual([1, 2]);
    const s = season();
    expect(seasonStatus(s, NOW)).toBe('running');
    expect(seasonStatus(s, new Date(NOW.getTime() + 1000))).toBe('ended');
    expect(seasonStatus({ ...s, closedAt: NOW, paidAt: NOW }, NOW)).toBe('closed');
    expect(mayClose(s, new Date(NOW.getTime() + 1000 + SEASON_SETTLE_MS - 1))).toBe(false);
    expect(mayClose(s, new Date(NOW.getTime() + 1000 + SEASON_SETTLE_MS))).toBe(true);
  });

  it('a running season is an event: overlapping ones do not stack, the largest applies', () => {
    const events = seasonEvents([season(), season({ id: 's2', multiplier: 1.5 }), season({ id: 's3', multiplier: null }), season({ id: 's4', startsAt: new Date(NOW.getTime() + 1) })], NOW);
    expect(events.map((e) => e.id)).toEqual(['season:s1', 'season:s2']);
    const m = computeMultiplier({ streakDays: 0, tier: 'bronze', at: NOW, extraEvents: events }, currentPreset);
    expect(m.event).toBe(2);
  });

  it('achievements come from the best results', () => {
    const results = [{ seasonId: 'a', userId: 'u', rank: 4, earned: 900 }, { seasonId: 'b', userId: 'u', rank: 40, earned: 1500 }];
    expect(seasonAchievementsOf(results, currentPreset.seasons.achievements)).toEqual([
      { id: 'season_top_10', name: 'Top 10 of a season', seasonId: 'a' },
      { id: 'season_earned_1000', name: '1,000 tokens in one season', seasonId: 'b' },
    ]);
  });
});

describe('room goal rules', () => {
  const goal = (o: Partial<GoalRecord> = {}): GoalRecord => ({
    id: 'g', roomId: 'r', title: null, target: 10, levels: 5, points: 0, level: 0, deadline: NOW, bonusTokens: 0, status: 'active', createdBy: 'm', createdAt: NOW, reachedAt: null, paidAt: null, ...o,
  });

  it('points per activity from the config', () => {
    expect(pointsFor('gift', 7, currentPreset)).toBe(7);
    expect(pointsFor('message', 0, currentPreset)).toBe(currentPreset.goals.pointsPerMessage);
    expect(pointsFor('file', 0, currentPreset)).toBe(currentPreset.goals.pointsPerFile);
  });

  it('levels extend the deadline per level gained; the target is reached once', () => {
    const { after, reachedNow } = applyContribution(goal(), 5, NOW, 1000);
    expect(after).toMatchObject({ points: 5, level: 2, deadline: new Date(NOW.getTime() + 2000), status: 'active' });
    expect(reachedNow).toBe(false);
    const done = applyContribution(after, 6, NOW, 1000);
    expect(done.after).toMatchObject({ points: 11, level: 5, status: 'reached', reachedAt: NOW });
    expect(done.reachedNow).toBe(true);
    expect(applyContribution(done.after, 1, NOW, 1000).reachedNow).toBe(false);
    expect(goalStatusAt(goal({ deadline: NOW }), NOW)).toBe('expired');
    expect(goalStatusAt(goal({ deadline: new Date(NOW.getTime() + 1) }), NOW)).toBe('active');
  });

  it('splits the bonus exactly, rounding remainders to the largest', () => {
    expect(splitBonus(10, [{ userId: 'a', points: 1 }, { userId: 'b', points: 1 }, { userId: 'c', points: 1 }])).toEqual([{ userId: 'a', tokens: 4 }, { userId: 'b', tokens: 3 }, { userId: 'c', tokens: 3 }]);
    expect(splitBonus(9, [{ userId: 'm', points: 8 }, { userId: 'o', points: 4 }])).toEqual([{ userId: 'm', tokens: 6 }, { userId: 'o', tokens: 3 }]);
    expect(splitBonus(1, [{ userId: 'a', points: 5 }, { userId: 'b', points: 1 }])).toEqual([{ userId: 'a', tokens: 1 }]);
    expect(splitBonus(0, [{ userId: 'a', points: 5 }])).toEqual([]);
    for (const bonus of [1, 7, 100, 999]) {
      const shares = splitBonus(bonus, [{ userId: 'a', points: 3 }, { userId: 'b', points: 7 }, { userId: 'c', points: 11 }]);
      expect(shares.reduce((s, x) => s + x.tokens, 0)).toBe(bonus);
    }
  });
});
