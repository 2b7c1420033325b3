import { z } from 'zod';

/**
 * Seasons (issue 13, part C; docs/economy.md "Seasons"): admin-defined windows with an event
 * multiplier, a seasonal leaderboard of tokens earned inside the window, and top-N rewards paid
 * once from issuance when the season closes.
 */

/** Ranks `fromRank`..`toRank` (inclusive) of the final standings each receive `tokens`. */
export const seasonRewardTier = z.strictObject({
  fromRank: z.number().int().min(1).max(10_000),
  toRank: z.number().int().min(1).max(10_000),
  tokens: z.number().int().min(1).max(1_000_000),
});

const isoTime = z.string().datetime({ offset: true });

/** `POST /api/admin/seasons`. Limits that depend on the economy config are checked by the service. */
export const seasonCreateBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  startsAt: isoTime,
  endsAt: isoTime,
  /** The event multiplier inside the window (at most three decimals); absent = no multiplier. */
  multiplier: z.number().min(1).max(100).optional(),
  rewards: z.array(seasonRewardTier).max(100),
});

/** `GET /api/seasons/:id/leaderboard?limit=`. */
export const seasonLeaderboardQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export type SeasonRewardTier = z.output<typeof seasonRewardTier>;
export type SeasonCreateBody = z.output<typeof seasonCreateBody>;

/** upcoming: before startsAt; running: inside [startsAt, endsAt); ended: past endsAt, not closed yet; closed: standings archived and rewards paid. */
export type SeasonStatus = 'upcoming' | 'running' | 'ended' | 'closed';

export interface SeasonView {
  id: string;
  name: string;
  startsAt: string;
  endsAt: string;
  multiplier: number | null;
  rewards: SeasonRewardTier[];
  status: SeasonStatus;
  createdBy: string;
  createdAt: string;
  /** When the standings were archived (null until then). */
  closedAt: string | null;
}

export interface SeasonStandingView {
  rank: number;
  userId: string;
  username: string;
  /** Tokens earned (earning activities) inside the season's window. */
  earned: number;
  /** The reward of this rank (0 when none); paid once at close. */
  reward: number;
}

export interface SeasonLeaderboardView {
  season: SeasonView;
  /** `live` while the season runs or has ended unclosed; `archived` once closed (frozen). */
  source: 'live' | 'archived';
  items: SeasonStandingView[];
}

/** One user's result in a closed season. */
export interface UserSeasonResult {
  seasonId: string;
  seasonName: string;
  rank: number;
  earned: number;
}

/** `GET /api/users/:id/seasons`: the user's best season and the seasonal achievements reached. */
export interface UserSeasonsView {
  userId: string;
  /** Lowest rank over closed seasons (ties: more earned, then the older season); null when never ranked. */
  best: UserSeasonResult | null;
  /** Seasonal achievement ids reached in any closed season (economy config `seasons.achievements`). */
  achievements: Array<{ id: string; name: string; seasonId: string }>;
}

/** The answer of a close (admin route, sweeper): what this run did. */
export interface SeasonCloseView {
  season: SeasonView;
  /** False when another run (or node) had archived it first: nothing new was archived. */
  archivedNow: boolean;
  /** Reward entries this run posted (0 on a second run: the idempotency keys answered duplicate). */
  rewardsPosted: number;
  /** Rewards not paid because the award gate refused the user (suspension, ban). */
  rewardsRefused: number;
}
