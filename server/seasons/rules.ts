import type { SeasonCreateBody, SeasonRewardTier, SeasonStatus } from '../../shared/seasons.js';
import type { EconomyConfig, SeasonAchievement } from '../economy/config/schema.js';
import { toThousandths, type ActiveEvent } from '../economy/rules/multipliers.js';
import type { SeasonRecord, StandingRecord } from './ports.js';

/**
 * The season rules, pure (issue 13, part C): validation of a new season, its status at an
 * instant, its multiplier as an event, reward per rank, and seasonal achievements. No I/O.
 */

/**
 * Earning is over at endsAt, but an award stamped just before it may still be in a ledger batch
 * (5 ms) or a carry retry: a season is closed only this long after its end, so its standings are final.
 */
export const SEASON_SETTLE_MS = 5_000;

/** One problem of a season definition: the field and what is wrong, answered as VALIDATION_FAILED. */
export interface SeasonProblem {
  field: string;
  problem: string;
}

/** Everything wrong with a new season against the config (empty = valid). */
export function seasonProblems(body: SeasonCreateBody, now: Date, config: EconomyConfig): SeasonProblem[] {
  const out: SeasonProblem[] = [];
  const starts = Date.parse(body.startsAt);
  const ends = Date.parse(body.endsAt);
  if (ends <= starts) out.push({ field: 'endsAt', problem: 'must be after startsAt' });
  if (ends <= now.getTime()) out.push({ field: 'endsAt', problem: 'must be in the future' });
  if (body.multiplier !== undefined && Math.abs(toThousandths(body.multiplier) - body.multiplier * 1000) > 1e-6) out.push({ field: 'multiplier', problem: 'at most three decimals' });
  const sorted = [...body.rewards].sort((a, b) => a.fromRank - b.fromRank);
  let total = 0;
  for (const [i, tier] of sorted.entries()) {
    if (tier.toRank < tier.fromRank) out.push({ field: 'rewards', problem: `toRank ${tier.toRank} is before fromRank ${tier.fromRank}` });
    if (tier.toRank > config.seasons.archiveSize) out.push({ field: 'rewards', problem: `ranks past ${config.seasons.archiveSize} (seasons.archiveSize) are not archived` });
    const next = sorted[i + 1];
    if (next && next.fromRank <= tier.toRank) out.push({ field: 'rewards', problem: `rank ${next.fromRank} is in two tiers` });
    total += tier.tokens * Math.max(0, tier.toRank - tier.fromRank + 1);
  }
  if (total > config.seasons.rewardsMaxTokens) out.push({ field: 'rewards', problem: `the rewards mint ${total} tokens in all, more than ${config.seasons.rewardsMaxTokens} (seasons.rewardsMaxTokens)` });
  return out;
}

export function seasonStatus(season: Pick<SeasonRecord, 'startsAt' | 'endsAt' | 'closedAt' | 'paidAt'>, at: Date): SeasonStatus {
  if (season.closedAt && season.paidAt) return 'closed';
  const t = at.getTime();
  if (t < season.startsAt.getTime()) return 'upcoming';
  if (t < season.endsAt.getTime()) return 'running';
  return 'ended';
}

/** Whether a close may run at `at`: the window is over and settled. */
export function mayClose(season: Pick<SeasonRecord, 'endsAt'>, at: Date): boolean {
  return at.getTime() >= season.endsAt.getTime() + SEASON_SETTLE_MS;
}

/**
 * The seasons running at `at` that carry a multiplier, as award events. Overlapping seasons are
 * allowed; like the config's windows their multipliers do not stack (the largest event applies).
 */
export function seasonEvents(seasons: readonly SeasonRecord[], at: Date): ActiveEvent[] {
  const t = at.getTime();
  return seasons
    .filter((s) => s.multiplier !== null && t >= s.startsAt.getTime() && t < s.endsAt.getTime())
    .map((s) => ({ id: `season:${s.id}`, kind: 'season', multiplier: s.multiplier! }));
}

/** The tokens rank `rank` receives (0 when no tier covers it). */
export function rewardForRank(rank: number, rewards: readonly SeasonRewardTier[]): number {
  return rewards.find((t) => rank >= t.fromRank && rank <= t.toRank)?.tokens ?? 0;
}

/** Positions 1..n of earners already sorted by earned desc then user id: every run ranks them alike. */
export function rankEarners(seasonId: string, earners: ReadonlyArray<{ userId: string; earned: number }>): StandingRecord[] {
  return earners.map((e, i) => ({ seasonId, userId: e.userId, rank: i + 1, earned: e.earned }));
}

/** The idempotency key of one season reward: one per season and rank, whichever node pays it. */
export const seasonRewardKey = (seasonId: string, rank: number): string => `season:${seasonId}:rank:${rank}`;

/** The seasonal achievements `results` reach (first season reaching each, by best result). */
export function seasonAchievementsOf(results: readonly StandingRecord[], achievements: readonly SeasonAchievement[]): Array<{ id: string; name: string; seasonId: string }> {
  const out: Array<{ id: string; name: string; seasonId: string }> = [];
  for (const a of achievements) {
    const hit = results.find((r) => (a.kind === 'top_rank' ? r.rank <= a.threshold : r.earned >= a.threshold));
    if (hit) out.push({ id: a.id, name: a.name, seasonId: hit.seasonId });
  }
  return out;
}
