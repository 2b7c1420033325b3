import type { Clock } from '../lib/clock.js';
import type { PurchaseStore } from './ports.js';
import { PRIVATE_ROOM_CREDIT_ITEMS, perksOf, type Perks } from './effects.js';

/**
 * What the limit checks (server/engagement/tier-benefits.ts) ask the shop: the extensions in
 * effect now, and a private-room credit to use. Read on every check, so an expiry (ctx.clock)
 * or a refund ends the effect at once.
 */
export interface ShopPerks {
  active(userId: string): Promise<Perks>;
  /** Uses one unused private-room credit; false when the user holds none. */
  usePrivateRoomCredit(userId: string): Promise<boolean>;
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
  };
}
