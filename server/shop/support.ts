import type { AppContext } from '../context.js';
import { prioritySupportUntil } from './effects.js';

/** What `GET /api/users/me` shows of priority support (any item with that effect): its end while active, else null. */
export async function prioritySupportOf(ctx: Pick<AppContext, 'purchases' | 'clock' | 'shopCatalogue'>, userId: string): Promise<{ until: string } | null> {
  const at = ctx.clock.now();
  const effects = await ctx.shopCatalogue.effects();
  const until = prioritySupportUntil(await ctx.purchases.listActiveOf({ itemIds: effects.idsOf('prioritySupport'), userIds: [userId] }, at), at, effects);
  return until ? { until: until.toISOString() } : null;
}

export interface PrioritySupportEntry {
  userId: string;
  username: string;
  until: string;
}

/**
 * The users whose priority_support is active now, the one ending soonest first: the list operators
 * work from (`GET /api/admin/support/priority`). Expired and refunded purchases are not in it.
 */
export async function prioritySupportList(ctx: Pick<AppContext, 'purchases' | 'clock' | 'stores' | 'shopCatalogue'>): Promise<PrioritySupportEntry[]> {
  const at = ctx.clock.now();
  const effects = await ctx.shopCatalogue.effects();
  const active = await ctx.purchases.listActiveOf({ itemIds: effects.idsOf('prioritySupport') }, at);
  const byUser = new Map<string, Date>();
  for (const p of active) {
    const until = prioritySupportUntil([p], at, effects);
    const known = byUser.get(p.userId);
    if (until && (!known || known < until)) byUser.set(p.userId, until);
  }
  const users = await ctx.stores.users.findManyByIds([...byUser.keys()]);
  const names = new Map(users.map((u) => [u.id, u.username]));
  return [...byUser.entries()]
    .map(([userId, until]) => ({ userId, username: names.get(userId) ?? '', until: until.toISOString() }))
    .sort((a, b) => (a.until < b.until ? -1 : a.until > b.until ? 1 : a.userId < b.userId ? -1 : 1));
}
