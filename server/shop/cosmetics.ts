import type { CosmeticView } from '../../shared/shop.js';
import type { AppContext } from '../context.js';
import { cosmeticsOf } from './effects.js';

/** The cosmetics `userId` owns now (avatar frame, chat color, emoji, badge, theme), for the profile. */
export async function profileCosmetics(ctx: Pick<AppContext, 'purchases' | 'clock' | 'shopCatalogue'>, userId: string): Promise<CosmeticView[]> {
  const at = ctx.clock.now();
  const purchases = await ctx.purchases.listActive(userId, at);
  const effects = await ctx.shopCatalogue.effectsFor(purchases.map((p) => p.itemId));
  return cosmeticsOf(purchases, at, effects).map((c) => ({ itemId: c.itemId, slot: c.slot, since: c.since.toISOString() }));
}
