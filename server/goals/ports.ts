import type { RoomGoalStatus } from '../../shared/goals.js';

/** A room goal as stored (issue 13, part C). `status` is stored as set; an active goal past its deadline reads as expired. */
export interface GoalRecord {
  id: string;
  roomId: string;
  title: string | null;
  target: number;
  /** Levels of this goal (economy config `goals.levels` at creation). */
  levels: number;
  points: number;
  level: number;
  deadline: Date;
  bonusTokens: number;
  status: RoomGoalStatus;
  createdBy: string;
  createdAt: Date;
  reachedAt: Date | null;
  /** Set after every contributor's share of the bonus was posted (or refused by the gate). */
  paidAt: Date | null;
}

export type NewGoal = Omit<GoalRecord, 'points' | 'level' | 'status' | 'reachedAt' | 'paidAt'>;

export interface Contribution {
  userId: string;
  points: number;
}

export interface ContributionInput {
  roomId: string;
  userId: string;
  points: number;
  at: Date;
  /** Added to the deadline per level reached by this contribution (the hype train). */
  levelExtendMs: number;
}

/** What one contribution did to the room's active goal. */
export interface ContributionResult {
  goal: GoalRecord;
  /** Levels before this contribution (goal.level is after). */
  levelBefore: number;
  /** True for exactly one contribution per goal: the one that met the target. */
  reachedNow: boolean;
}

/** Bound on the contributors read to pay a bonus: past it, the smallest contributors share nothing. */
export const GOAL_PAYOUT_CONTRIBUTORS_MAX = 1000;

/**
 * Room goals and their contributions, on SQLite and MongoDB. Every write that decides something
 * (one active goal per room, the contribution that reaches the target) is one transaction, so two
 * nodes racing cannot both create a goal or both see `reachedNow`.
 */
export interface GoalStore {
  /** Creates the goal unless the room has an active goal whose deadline is after `goal.createdAt`; `existing` is that goal. */
  create(goal: NewGoal): Promise<{ created: true; goal: GoalRecord } | { created: false; existing: GoalRecord }>;
  /** The room's newest goal (any status), or null. */
  current(roomId: string): Promise<GoalRecord | null>;
  /** Adds points to the room's active goal if its deadline is after `at`; null when there is none. */
  contribute(input: ContributionInput): Promise<ContributionResult | null>;
  /** Contributors of a goal, most points first (ties by user id), at most `limit`. */
  contributors(goalId: string, limit: number): Promise<Contribution[]>;
  /** Cancels the room's active goal; null when none is active. */
  cancel(roomId: string, at: Date): Promise<GoalRecord | null>;
  markPaid(goalId: string, at: Date): Promise<void>;
}

/** The level `points` reach out of `levels` (level k at k/levels of the target), at most `levels`. */
export function levelOf(points: number, target: number, levels: number): number {
  return Math.min(levels, Math.floor((points * levels) / target));
}
