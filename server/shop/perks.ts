import type { Clock } from '../lib/clock.js';
import type { PurchaseStore } from './ports.js';
import { PRIORITY_SUPPORT_ITEMS, PRIVATE_ROOM_CREDIT_ITEMS, TIER_UPGRADE_ITEMS, perksOf, prioritySupportUntil, tierUpgradeSteps, type Perks } from './effects.js';

/**
 * What the limit checks (server/engagement/tier-benefits.ts) ask the shop: the extensions in
 * effect now, and a private-room credit to use. Read on every check, so an expiry (ctx.clock)
 * or a refund ends the effect at once.
 */
export interface ShopPerks {
  active(userId: string): Promise<Perks>;
  /** Uses one unused private-room credit; false when the user holds none. */
  usePrivateRoomCredit(userId: string): Promise<boolean>;
  /** Tier steps from active tier_upgrade purchases, per user (0 for users without one). */
  tierSteps(userIds: readonly string[]): Promise<Map<string, number>>;
  /** The end of the user's active priority_support, or null. */
  prioritySupportUntil(userId: string): Promise<Date | null>;
}

export function createShopPerks(deps: { purchases: PurchaseStore; clock: Clock }): ShopPerks {
  return {
    async active(userId) {
      const at = deps.clock.now();
      return perksOf(await deps.purchases.listActive(userId, at), at);
    },
    async usePrivateRoomCredit(userId) {
      return (await deps.purchases.useOne(userId, PRIVATE_ROOM_CREDIT_ITEMS, deps.clock.now())) !== null;
    },
    async tierSteps(userIds) {
      const at = deps.clock.now();
      const upgrades = await deps.purchases.listActiveOf({ itemIds: TIER_UPGRADE_ITEMS, userIds }, at);
      return new Map(userIds.map((id) => [id, tierUpgradeSteps(upgrades.filter((p) => p.userId === id), at)]));
    },
    async prioritySupportUntil(userId) {
      const at = deps.clock.now();
      return prioritySupportUntil(await deps.purchases.listActiveOf({ itemIds: PRIORITY_SUPPORT_ITEMS, userIds: [userId] }, at), at);
    },
  };
}
