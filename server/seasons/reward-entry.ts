import type { DraftInput } from '../ledger/entries.js';
import { ISSUANCE, userAccount } from '../ledger/ports.js';
import type { SeasonRecord } from './ports.js';
import { seasonRewardKey } from './rules.js';

/** The activity of season reward entries (history, analytics). */
export const SEASON_REWARD_ACTIVITY = 'season_reward';

/**
 * One season reward: an `award` entry from issuance to the user, keyed by season and rank, so a
 * second close (another run, another node) answers duplicate instead of paying again. Kind `award`
 * rather than `earn`: a reward is not counted as tokens earned in the next season.
 */
export function seasonRewardDraft(season: Pick<SeasonRecord, 'id' | 'name'>, userId: string, rank: number, tokens: number): DraftInput {
  return {
    kind: 'award',
    idempotencyKey: seasonRewardKey(season.id, rank),
    activity: SEASON_REWARD_ACTIVITY,
    roomId: null,
    message: `${season.name}: rank ${rank}`,
    metadata: { seasonId: season.id, rank },
    actorId: null,
    legs: [
      { account: ISSUANCE, amount: -tokens },
      { account: userAccount(userId), amount: tokens },
    ],
  };
}
