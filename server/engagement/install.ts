import type { AppContext } from '../context.js';
import { ledgerTierSource, tierRoomPolicy, tierUploadLimits } from './tier-benefits.js';

/**
 * Plugs the engagement feature into the services built before it: the streak multiplier's
 * source, tiers and badges in user summaries, and the tier benefits that are enforced elsewhere
 * (upload size and quota, rooms_max and private rooms on room creation).
 */
export function installEngagement(ctx: Pick<AppContext, 'engagement' | 'awards' | 'userSummaries' | 'fileService' | 'roomService' | 'ledger' | 'economy' | 'stores'>): void {
  const tiers = { ledger: ctx.ledger, economy: ctx.economy };
  ctx.awards.setStreakSource(ctx.engagement.streakSource);
  ctx.userSummaries.setTierSource(ledgerTierSource(tiers));
  ctx.fileService.limits.setTierLimits(tierUploadLimits(tiers));
  ctx.roomService.setCreationPolicy(tierRoomPolicy({ ...tiers, rooms: ctx.stores.rooms }));
}
