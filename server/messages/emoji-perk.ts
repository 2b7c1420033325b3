import type { TierName } from '../../shared/events.js';

/** Tiers from lowest to highest. */
const TIER_ORDER: readonly TierName[] = ['bronze', 'silver', 'gold', 'platinum'];

/** The seed's tier table: advanced emoji reactions are a gold benefit (and so platinum's). */
export const ADVANCED_EMOJI_TIER: TierName = 'gold';

/**
 * Whether a user of `tier` may react with `emoji`. Emojis outside the advanced set are for
 * everyone; an unknown tier (no economy wired) is refused an advanced one rather than guessed.
 */
export function mayReactWith(emoji: string, tier: TierName | undefined, advanced: readonly string[]): boolean {
  if (!advanced.includes(emoji)) return true;
  if (tier === undefined) return false;
  return TIER_ORDER.indexOf(tier) >= TIER_ORDER.indexOf(ADVANCED_EMOJI_TIER);
}
