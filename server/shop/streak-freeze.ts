import type { EconomyConfig, ShopItem } from '../economy/config/schema.js';
import type { CounterClaim } from '../ledger/ports.js';
import type { ClaimRefusedError } from '../ledger/rules.js';
import { AppError } from '../lib/app-error.js';
import { effectOf, type ItemEffectSource } from './effects.js';
import { PURCHASES_LIST_MAX, type PurchaseStore } from './ports.js';

/**
 * The streak freeze (issue 13, docs/shop.md): a consumable that protects the login streak for one
 * missed day, used up by the daily claim (server/engagement/daily-claim.ts). One user holds at most
 * `streakFreeze.maxHeld` unused ones.
 *
 * The bound is a ledger counter taken with the charge (so two purchases racing on two nodes cannot
 * both pass it): it counts every freeze the user ever bought, and its max is `maxHeld` plus the
 * freezes no longer held (used or refunded), read just before. A use or refund committed after that
 * read only makes the max too small for that one purchase (a refusal, never an extra freeze).
 */
export const heldKey = (userId: string): string => `shop:held:streak_freeze:${userId}`;

export const isStreakFreeze = (item: Pick<ShopItem, 'id' | 'effect'>): boolean => effectOf(item)?.kind === 'streakFreeze';

/** The held-bound counter of a streak-freeze purchase (every freeze item of the catalogue counts); none for other items. */
export async function streakFreezeClaims(purchases: Pick<PurchaseStore, 'listByUser'>, item: ShopItem, userId: string, config: EconomyConfig, catalogue: ItemEffectSource): Promise<CounterClaim[]> {
  if (!isStreakFreeze(item)) return [];
  const all = await purchases.listByUser(userId, PURCHASES_LIST_MAX);
  const effects = await catalogue.effectsFor(all.map((p) => p.itemId));
  const mine = all.filter((p) => effects.of(p.itemId)?.kind === 'streakFreeze');
  const gone = mine.filter((p) => p.usedAt !== null || p.refundedAt !== null).length;
  return [{ key: heldKey(userId), delta: 1, max: config.streakFreeze.maxHeld + gone }];
}

/** STREAK_FREEZE_LIMIT when the held bound refused the purchase; null for another counter. */
export function heldRefusal(err: ClaimRefusedError, userId: string, config: EconomyConfig): AppError | null {
  if (err.key !== heldKey(userId)) return null;
  return new AppError('STREAK_FREEZE_LIMIT', undefined, { maxHeld: config.streakFreeze.maxHeld });
}

/** What the daily claim needs: use one of the user's unused streak freezes (a compare-and-set), or learn there is none. */
export interface StreakFreezes {
  /** True when the user holds an unused, unrefunded freeze (a read; the use decides). */
  holds(userId: string, at: Date): Promise<boolean>;
  /** Marks the oldest unused freeze used; false when none is left (a refund or another claim won). */
  useOne(userId: string, at: Date): Promise<boolean>;
}

export function purchaseStreakFreezes(purchases: Pick<PurchaseStore, 'listActiveOf' | 'useOne'>, catalogue: ItemEffectSource): StreakFreezes {
  const freezeIds = async () => (await catalogue.effects()).idsOf('streakFreeze');
  return {
    async holds(userId, at) {
      return (await purchases.listActiveOf({ itemIds: await freezeIds(), userIds: [userId] }, at)).length > 0;
    },
    async useOne(userId, at) {
      return (await purchases.useOne(userId, await freezeIds(), at)) !== null;
    },
  };
}
