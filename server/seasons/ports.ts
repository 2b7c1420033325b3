import type { SeasonRewardTier } from '../../shared/seasons.js';

/** A season as stored (issue 13, part C). Times are instants; the window is [startsAt, endsAt). */
export interface SeasonRecord {
  id: string;
  name: string;
  startsAt: Date;
  endsAt: Date;
  /** The event multiplier inside the window; null = none. */
  multiplier: number | null;
  rewards: SeasonRewardTier[];
  createdBy: string;
  createdAt: Date;
  /** Set once, by the run that archived the standings. */
  closedAt: Date | null;
  /** Set after every reward of the archived standings was posted (or refused by the gate). */
  paidAt: Date | null;
}

export type NewSeason = Omit<SeasonRecord, 'closedAt' | 'paidAt'>;

/** One archived final standing. Ranks are positions 1..n (ties broken by user id, so every run agrees). */
export interface StandingRecord {
  seasonId: string;
  userId: string;
  rank: number;
  earned: number;
}

/** Bound on every list a season store answers. */
export const SEASONS_LIST_MAX = 500;

/**
 * Seasons and their archived standings, on SQLite and MongoDB (server/stores/*\/seasons-store.ts).
 * `archive` is the one write that decides a race: whichever call sets `closedAt` first writes the
 * standings, in the same transaction; every other call answers false and writes nothing.
 */
export interface SeasonStore {
  create(season: NewSeason): Promise<SeasonRecord>;
  findById(id: string): Promise<SeasonRecord | null>;
  /** Newest start first, at most `limit` (<= SEASONS_LIST_MAX). */
  list(limit: number): Promise<SeasonRecord[]>;
  /** Seasons with a multiplier whose window has not ended at `at` (running or upcoming), soonest end first. */
  withMultiplierNotEnded(at: Date, limit: number): Promise<SeasonRecord[]>;
  /** Seasons ended at or before `endedBy` whose rewards are not marked paid, oldest end first. */
  dueToClose(endedBy: Date, limit: number): Promise<SeasonRecord[]>;
  /** Sets closedAt and inserts the standings atomically if the season is not archived yet; false if it was. */
  archive(seasonId: string, standings: readonly StandingRecord[], at: Date): Promise<boolean>;
  /** The archived standings, rank ascending. */
  standings(seasonId: string, limit: number): Promise<StandingRecord[]>;
  /** Marks the rewards paid (idempotent: the first time wins). */
  markPaid(seasonId: string, at: Date): Promise<void>;
  /** The user's archived standings over all seasons, best rank first (ties: more earned first). */
  resultsOf(userId: string, limit: number): Promise<StandingRecord[]>;
}

export function checkSeasonListLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > SEASONS_LIST_MAX) throw new RangeError(`limit must be 1..${SEASONS_LIST_MAX}`);
}
