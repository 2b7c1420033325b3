import type { AppContext } from '../context.js';
import { ledgerTierSource, tierRoomPolicy, tierUploadLimits } from './tier-benefits.js';
import { createShopPerks } from '../shop/perks.js';

/**
 * Plugs the engagement feature into the services built before it: the streak multiplier's
 * source, tiers and badges in user summaries, and the tier benefits that are enforced elsewhere
 * (upload size and quota, rooms_max and private rooms on room creation), extended by active shop
 * purchases (server/shop/perks.ts).
 */
export function installEngagement(
  ctx: Pick<AppContext, 'engagement' | 'awards' | 'userSummaries' | 'fileService' | 'roomService' | 'ledger' | 'economy' | 'stores' | 'purchases' | 'clock'>,
): void {
  const perks = createShopPerks({ purchases: ctx.purchases, clock: ctx.clock });
  const tiers = { ledger: ctx.ledger, economy: ctx.economy, perks };
  ctx.awards.setStreakSource(ctx.engagement.streakSource);
  ctx.userSummaries.setTierSource(ledgerTierSource(tiers));
  ctx.fileService.limits.setTierLimits(tierUploadLimits({ ...tiers, perks }));
  ctx.roomService.setCreationPolicy(tierRoomPolicy({ ...tiers, rooms: ctx.stores.rooms, perks }));
}
