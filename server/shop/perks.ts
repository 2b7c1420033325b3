import type { Clock } from '../lib/clock.js';
import type { PurchaseStore } from './ports.js';
import { perksOf, prioritySupportUntil, tierUpgradeSteps, type ItemEffectSource, type Perks } from './effects.js';

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

/** `effects`: the catalogue's (server/shop/catalogue.ts), so an admin's new perk item counts like a built-in one. */
export function createShopPerks(deps: { purchases: PurchaseStore; clock: Clock; effects: ItemEffectSource }): ShopPerks {
  return {
    async active(userId) {
      const at = deps.clock.now();
      const purchases = await deps.purchases.listActive(userId, at);
      return perksOf(purchases, at, await deps.effects.effectsFor(purchases.map((p) => p.itemId)));
    },
    async usePrivateRoomCredit(userId) {
      const effects = await deps.effects.effects();
      return (await deps.purchases.useOne(userId, effects.idsOf('privateRoomCredit'), deps.clock.now())) !== null;
    },
    async tierSteps(userIds) {
      const at = deps.clock.now();
      const effects = await deps.effects.effects();
      const upgrades = await deps.purchases.listActiveOf({ itemIds: effects.idsOf('tierUpgrade'), userIds }, at);
      return new Map(userIds.map((id) => [id, tierUpgradeSteps(upgrades.filter((p) => p.userId === id), at, effects)]));
    },
    async prioritySupportUntil(userId) {
      const at = deps.clock.now();
      const effects = await deps.effects.effects();
      return prioritySupportUntil(await deps.purchases.listActiveOf({ itemIds: effects.idsOf('prioritySupport'), userIds: [userId] }, at), at, effects);
    },
  };
}
