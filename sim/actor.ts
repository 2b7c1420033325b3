import { giftSendPayload, shopPurchaseBody } from '../shared/schemas.js';
import { AppError } from '../server/lib/app-error.js';
import { awardAfter, awardRoomJoin, earnKeys } from '../server/earning/inline.js';
import type { ShopItem } from '../server/economy/config/schema.js';
import { availabilityOf, needsMessage, needsRoom } from '../server/shop/effects.js';
import { itemClassOf, type Action, type ItemClass, type PersonaId } from './personas.js';
import type { Rng } from './prng.js';
import type { SimWorld } from './world.js';

/** The PIN every simulated gifter and shopper set. */
export const SIM_PIN = '2468';

/** A simulated account and what the simulation must remember about it between actions. */
export interface SimUser {
  id: string;
  /** Place in the whole population (all shards): names the user's random streams and counts them across shards. */
  index: number;
  persona: PersonaId;
  /** Index of the next room of the pool this user joins (each join is a room they never joined). */
  nextRoom: number;
  rooms: string[];
  ownedPermanent: Set<string>;
  sent: number;
}

/** What the population's gifts and purchases ran into (the awards' outcomes are in the ledger). */
export interface ActionTally {
  gifts: { sent: number; tokens: number; refused: Record<string, number> };
  /** Per persona and item class: purchases attempted, made, and refusals by code. */
  purchases: Partial<Record<PersonaId, Partial<Record<ItemClass, { attempted: number; bought: number; refused: Record<string, number> }>>>>;
  /** Users (population index) who missed at least one scheduled purchase of a class. */
  missedBuyers: Partial<Record<ItemClass, Set<number>>>;
}

export const emptyTally = (): ActionTally => ({ gifts: { sent: 0, tokens: 0, refused: {} }, purchases: {}, missedBuyers: {} });

const bump = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** The code of a catalogued refusal; anything else is a bug of the simulation or the server and stops the run. */
function refusalCode(err: unknown): string {
  if (err instanceof AppError) return err.code;
  throw err;
}

/** The cheapest item of the class a user can buy now without a room or message (a permanent one only once). */
export function pickItem(shop: readonly ShopItem[], itemClass: ItemClass, owned: ReadonlySet<string>): ShopItem | null {
  const candidates = shop.filter(
    (i) => itemClassOf(i.category) === itemClass && availabilityOf(i).available && !needsRoom(i) && !needsMessage(i) && !(i.duration.kind === 'permanent' && owned.has(i.id)),
  );
  return candidates.sort((a, b) => a.cost - b.cost || a.id.localeCompare(b.id))[0] ?? null;
}

/**
 * Does one action of one user through the real services, the way the socket and HTTP handlers
 * do it: the chat action first (message, share, join), then the award pipeline
 * (`awardAfter` / `awardRoomJoin`, the handlers' own helpers); the daily claim, gifts, purchases
 * and achievement claims through their services. `rooms` is the pool of rooms; `everyone` the
 * users of this shard (gift recipients: a gift never leaves the shard's ledger).
 */
export async function act(world: SimWorld, user: SimUser, action: Action, env: { rooms: readonly string[]; everyone: readonly SimUser[]; rng: Rng; tally: ActionTally; label: string }): Promise<void> {
  const { ctx } = world;
  switch (action.kind) {
    case 'login':
      try {
        await ctx.engagement.claimDaily(user.id);
      } catch (err) {
        refusalCode(err);
      }
      return;
    case 'join': {
      const roomId = env.rooms[user.nextRoom++ % env.rooms.length]!;
      const { room, joined, firstJoin } = await ctx.roomService.join(user.id, roomId);
      if (joined) user.rooms.push(room.id);
      await awardRoomJoin(ctx.awards, ctx.logger, { userId: user.id, roomId: room.id, joined, firstJoin });
      return;
    }
    case 'message': {
      const roomId = user.rooms[env.rng.int(0, user.rooms.length - 1)];
      if (!roomId) return;
      const body = `${env.label} message ${user.sent++} of ${user.id}`;
      const { message, created } = await ctx.messageService.send(user.id, { roomId, clientMessageId: `${env.label}:${user.sent}`, body });
      if (created) await awardAfter(ctx.awards, ctx.logger, { userId: user.id, activity: 'send_message', idempotencyKey: earnKeys.sendMessage(message.id), roomId, newEvent: true, content: body });
      return;
    }
    case 'file': {
      const roomId = user.rooms[env.rng.int(0, user.rooms.length - 1)];
      if (!roomId) return;
      // The upload itself earns nothing, so only its record is made (no bytes on disk); the share is the real one.
      const file = await ctx.stores.files.create({ id: ctx.newId(), ownerId: user.id, name: 'notes.txt', size: 1024, mime: 'text/plain', storageKey: `sim/${user.id}/${user.sent}`, createdAt: ctx.clock.now() });
      const { message, created } = await ctx.fileService.share(user.id, { roomId, fileId: file.id });
      if (created) await awardAfter(ctx.awards, ctx.logger, { userId: user.id, activity: 'share_file', idempotencyKey: earnKeys.shareFile(message.id), roomId, metadata: { fileId: file.id }, newEvent: true });
      return;
    }
    case 'gift': {
      let to = env.everyone[env.rng.int(0, env.everyone.length - 1)]!;
      if (to.id === user.id) to = env.everyone[(env.everyone.indexOf(to) + 1) % env.everyone.length]!;
      if (to.id === user.id) return;
      try {
        // Parsed with the transport's own schema, so the service gets exactly what a client could send.
        await world.gifts.send(user.id, giftSendPayload.parse({ toUserId: to.id, amount: action.amount, pin: SIM_PIN, requestId: `${env.label}-gift-${user.id}-${env.rng.int(0, 1e9)}` }));
        env.tally.gifts.sent++;
        env.tally.gifts.tokens += action.amount;
      } catch (err) {
        bump(env.tally.gifts.refused, refusalCode(err));
      }
      return;
    }
    case 'buy':
      await buy(world, user, action.itemClass, env);
      return;
    case 'claimAchievements': {
      const open = (await ctx.engagement.store.achievements(user.id)).filter((a) => a.claimedAt === null);
      for (const a of open) await ctx.engagement.achievements.claim(user.id, a.achievementId);
      return;
    }
  }
}

async function buy(world: SimWorld, user: SimUser, itemClass: ItemClass, env: { tally: ActionTally; label: string }): Promise<void> {
  const byClass = (env.tally.purchases[user.persona] ??= {});
  const stats = (byClass[itemClass] ??= { attempted: 0, bought: 0, refused: {} });
  stats.attempted++;
  const item = pickItem(world.ctx.economy.current.shop, itemClass, user.ownedPermanent);
  const miss = (code: string): void => {
    bump(stats.refused, code);
    (env.tally.missedBuyers[itemClass] ??= new Set()).add(user.index);
  };
  if (!item) return miss('NO_ITEM_IN_CATALOGUE');
  try {
    await world.shop.purchase(user.id, shopPurchaseBody.parse({ itemId: item.id, pin: SIM_PIN, requestId: `${env.label}-buy-${user.id}-${itemClass}` }));
    stats.bought++;
    if (item.duration.kind === 'permanent') user.ownedPermanent.add(item.id);
  } catch (err) {
    miss(refusalCode(err));
  }
}
