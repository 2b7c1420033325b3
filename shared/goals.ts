import { z } from 'zod';
import type { UserSummary } from './events.js';

/**
 * Room goals (issue 13, part C; docs/chat.md "Room goals"): a moderator sets a target of points
 * with a deadline; gifts, messages and file shares in the room add points; each level reached
 * extends the deadline (a hype train); reaching the target pays contributors an optional bonus
 * from the room's reward budget, once.
 */

/** `POST /api/rooms/:id/goal` (owner or moderator). */
export const roomGoalBody = z.strictObject({
  /** Points to reach. */
  target: z.number().int().min(1).max(10_000_000),
  /** Minutes from now until the deadline (before hype-train extensions). */
  durationMinutes: z.number().int().min(1).max(60 * 24 * 30),
  /** Tokens shared among contributors when the target is reached, taken from today's room budget at creation; 0/absent = none. */
  bonusTokens: z.number().int().min(0).max(1_000_000).optional(),
  title: z.string().trim().min(1).max(120).optional(),
});
export type RoomGoalBody = z.output<typeof roomGoalBody>;

/** active: collecting points; reached: the target was met (bonus paid); expired: the deadline passed first; cancelled: a moderator ended it. */
export type RoomGoalStatus = 'active' | 'reached' | 'expired' | 'cancelled';

export interface GoalContributorView {
  user: UserSummary;
  points: number;
}

/** The `room:goal` event and `GET /api/rooms/:id/goal`. */
export interface RoomGoalView {
  goalId: string;
  roomId: string;
  title: string | null;
  target: number;
  points: number;
  /** Levels reached so far, 0..levels (economy config `goals.levels`; the last one is the target). */
  level: number;
  levels: number;
  deadline: string;
  bonusTokens: number;
  status: RoomGoalStatus;
  createdBy: string;
  createdAt: string;
  /** The largest contributors, most points first (economy config `goals.topContributors`). */
  topContributors: GoalContributorView[];
}

/** `room:goal-reached`: the target was met; `payouts` is each contributor's share of the bonus. */
export interface RoomGoalReachedView {
  goal: RoomGoalView;
  payouts: Array<{ userId: string; tokens: number }>;
}
