import type { RoomGoalStatus } from '../../shared/goals.js';
import type { EconomyConfig } from '../economy/config/schema.js';
import { levelOf, type Contribution, type GoalRecord } from './ports.js';

/**
 * Room goal rules, pure (issue 13, part C): points per activity, the hype train (levels and
 * deadline extensions), the status at an instant, and the split of the bonus. Both store
 * adapters decide a contribution with `applyContribution`, inside their transaction.
 */

export type RoomActivityKind = 'gift' | 'message' | 'file';

/** Points an activity adds (a gift: per token). */
export function pointsFor(kind: RoomActivityKind, tokens: number, config: EconomyConfig): number {
  const g = config.goals;
  if (kind === 'gift') return g.pointsPerGiftToken * tokens;
  return kind === 'message' ? g.pointsPerMessage : g.pointsPerFile;
}

/** The goal after `points` more at `at`: new level, the deadline extended per level gained, reached when the target is met. */
export function applyContribution(goal: GoalRecord, points: number, at: Date, levelExtendMs: number): { after: GoalRecord; reachedNow: boolean } {
  const total = goal.points + points;
  const level = levelOf(total, goal.target, goal.levels);
  const gained = Math.max(0, level - goal.level);
  const reachedNow = total >= goal.target && goal.status === 'active';
  return {
    after: {
      ...goal,
      points: total,
      level,
      deadline: new Date(goal.deadline.getTime() + gained * levelExtendMs),
      status: reachedNow ? 'reached' : goal.status,
      reachedAt: reachedNow ? at : goal.reachedAt,
    },
    reachedNow,
  };
}

/** What clients see: an active goal past its deadline has expired. */
export function goalStatusAt(goal: Pick<GoalRecord, 'status' | 'deadline'>, at: Date): RoomGoalStatus {
  return goal.status === 'active' && at.getTime() >= goal.deadline.getTime() ? 'expired' : goal.status;
}

/**
 * The bonus split in proportion to points, in whole tokens: each gets floor(bonus x points / total),
 * and the tokens left by rounding go one each to the largest remainders (ties: more points, then
 * user id). The shares sum to the bonus exactly; contributors with a share of 0 are left out.
 */
export function splitBonus(bonus: number, contributors: readonly Contribution[]): Array<{ userId: string; tokens: number }> {
  const total = contributors.reduce((s, c) => s + c.points, 0);
  if (bonus <= 0 || total <= 0) return [];
  const shares = contributors.map((c) => ({ ...c, tokens: Math.floor((bonus * c.points) / total), rest: (bonus * c.points) % total }));
  let left = bonus - shares.reduce((s, c) => s + c.tokens, 0);
  const order = [...shares].sort((a, b) => b.rest - a.rest || b.points - a.points || (a.userId < b.userId ? -1 : 1));
  for (const s of order) {
    if (left === 0) break;
    s.tokens++;
    left--;
  }
  return shares.filter((s) => s.tokens > 0).map((s) => ({ userId: s.userId, tokens: s.tokens }));
}

/** The idempotency key of one contributor's share: one per goal and user, whichever node pays it. */
export const goalPayoutKey = (goalId: string, userId: string): string => `goal:${goalId}:${userId}`;
