import type { MemberView } from '../../shared/events.js';
import { TIER_IDS, type EconomyConfig } from '../economy/config/schema.js';

/**
 * Priority in rooms, the seed's tier perk (issue 10): in a member list, members whose tier has
 * the priorityInRooms feature (silver and up in both presets) come first, higher tiers before
 * lower; everyone else keeps the list's own order (join order). Pure: the caller passes the
 * active config.
 */
export function prioritizeMembers(config: Pick<EconomyConfig, 'tiers'>, members: readonly MemberView[]): MemberView[] {
  const rank = (m: MemberView): number => {
    const tier = m.user.tier;
    if (!tier || !config.tiers.benefits[tier].features.priorityInRooms) return 0;
    return TIER_IDS.indexOf(tier) + 1;
  };
  // Array.prototype.sort is stable, so equal ranks keep their order.
  return [...members].sort((a, b) => rank(b) - rank(a));
}
