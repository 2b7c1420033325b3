import type { z } from 'zod';
import type { PinView, RoomCustomizationView, RoomView } from '../../shared/events.js';
import type { roomCustomizationBody } from '../../shared/schemas.js';
import type { AppContext } from '../context.js';
import { AppError } from '../lib/app-error.js';
import { memberRoom, moderatorRoom } from '../rooms/access.js';
import { toRoomView } from '../rooms/views.js';
import type { RoomCustomizationRecord, RoomRecord } from '../stores/ports.js';
import { activePins, boostedRooms, type ItemEffects } from './effects.js';
import { PURCHASES_LIST_MAX, type PurchaseRecord } from './ports.js';
import { createShopPerks } from './perks.js';
import { tierOf } from '../engagement/tier-benefits.js';

type Ctx = Pick<AppContext, 'purchases' | 'clock' | 'stores' | 'shopCatalogue'>;

/**
 * The room effects of the shop. Pins and boosts are read from the purchases themselves (an active
 * purchase of an item with the pinMessage / roomBoost effect IS the pin / boost), so expiry and
 * refunds end them with no second write to keep in step. A customization is a room record
 * (RoomStore.setCustomization), paid for by using a roomCustomization purchase (docs/shop.md).
 * Which item ids have those effects is the catalogue's answer (`ctx.shopCatalogue.effects()`), so
 * an admin's new pin or boost item works like the seed's.
 */

/** At most this many boosted rooms lead the first page of the room list (the latest-ending first). */
export const BOOSTED_ROOMS_FIRST_MAX = 10;

const pinView = (p: ReturnType<typeof activePins>[number]): PinView => ({
  roomId: p.roomId,
  messageId: p.messageId,
  pinnedBy: p.pinnedBy,
  since: p.since.toISOString(),
  until: p.until.toISOString(),
  purchaseId: p.purchaseId,
});

/** The room's active pins, newest first; members only. */
export async function roomPins(ctx: Ctx, userId: string, roomId: string): Promise<PinView[]> {
  await memberRoom(ctx.stores.rooms, roomId, userId);
  const at = ctx.clock.now();
  const effects = await ctx.shopCatalogue.effects();
  return activePins(await ctx.purchases.listActiveOf({ itemIds: effects.idsOf('pinMessage'), roomId }, at), at, effects).map(pinView);
}

/** Tells the room's members about a new pin (`message:pinned`). */
export function announcePin(ctx: Pick<AppContext, 'broadcast' | 'clock'>, purchase: PurchaseRecord, effects: ItemEffects): void {
  const [pin] = activePins([purchase], ctx.clock.now(), effects);
  if (pin) ctx.broadcast.emit({ rooms: [pin.roomId] }, 'message:pinned', pinView(pin));
}

const customizationView = (c: RoomCustomizationRecord): RoomCustomizationView => ({
  color: c.color,
  theme: c.theme as RoomCustomizationView['theme'],
  updatedBy: c.updatedBy,
  updatedAt: c.updatedAt.toISOString(),
});

/** Room views with their customization and active boost. */
export async function roomViewsWithEffects(ctx: Ctx, rooms: readonly RoomRecord[]): Promise<RoomView[]> {
  const at = ctx.clock.now();
  const [customizations, boosts] = await Promise.all([ctx.stores.rooms.customizationsOf(rooms.map((r) => r.id)), activeBoosts(ctx, at)]);
  return rooms.map((r) => {
    const c = customizations.get(r.id);
    const boost = r.visibility === 'public' ? boosts.get(r.id) : undefined;
    return { ...toRoomView(r), customization: c ? customizationView(c) : null, boostedUntil: boost ? boost.toISOString() : null };
  });
}

/** Boosted room id -> end of its latest active boost, over every boost item of the catalogue. */
async function activeBoosts(ctx: Ctx, at: Date): Promise<Map<string, Date>> {
  const effects = await ctx.shopCatalogue.effects();
  return boostedRooms(await ctx.purchases.listActiveOf({ itemIds: effects.idsOf('roomBoost') }, at), at, effects);
}

/**
 * The room list with boosts: the first page starts with up to BOOSTED_ROOMS_FIRST_MAX boosted
 * public rooms (latest-ending boost first), followed by `limit` rooms newest first; those boosted
 * rooms are left out of the newest-first part on every page, so no room is listed twice.
 */
export async function listRoomsBoostedFirst(
  ctx: Ctx & Pick<AppContext, 'config'>,
  userId: string,
  q: { before?: string | undefined; limit?: number | undefined },
): Promise<{ rooms: RoomView[]; nextCursor: string | null }> {
  const limit = Math.min(q.limit ?? 50, ctx.config.historyPageMax);
  const at = ctx.clock.now();
  const boosts = [...(await activeBoosts(ctx, at)).entries()].sort((a, b) => b[1].getTime() - a[1].getTime() || (a[0] < b[0] ? -1 : 1));
  const boosted: RoomRecord[] = [];
  for (const [roomId] of boosts) {
    if (boosted.length >= BOOSTED_ROOMS_FIRST_MAX) break;
    const room = await ctx.stores.rooms.findById(roomId);
    if (room?.visibility === 'public') boosted.push(room);
  }
  const first = new Set(boosted.map((r) => r.id));
  const page = await ctx.stores.rooms.listVisibleTo(userId, { limit: limit + first.size, ...(q.before ? { before: q.before } : {}) });
  const rest = page.items.filter((r) => !first.has(r.id));
  const taken = rest.slice(0, limit);
  const last = taken[taken.length - 1];
  const nextCursor = rest.length > limit && last ? last.id : page.nextCursor;
  const rooms = q.before ? taken : [...boosted, ...taken];
  return { rooms: await roomViewsWithEffects(ctx, rooms), nextCursor };
}

/**
 * Sets the room's theme. The first customization of a room uses one unused room_customization
 * purchase the caller made for it (so its 90% unused refund no longer applies); later edits by
 * the owner or a moderator are free: the room was paid for. A purchase already used on the room
 * whose theme was never written (a crash between the two writes) still counts. A caller with the
 * customThemes tier feature (platinum) needs no purchase at all.
 */
export async function customizeRoom(
  ctx: Ctx & Pick<AppContext, 'ledger' | 'economy'>,
  userId: string,
  roomId: string,
  body: z.output<typeof roomCustomizationBody>,
): Promise<RoomView> {
  const { room } = await moderatorRoom(ctx.stores.rooms, roomId, userId);
  const at = ctx.clock.now();
  const existing = (await ctx.stores.rooms.customizationsOf([roomId])).get(roomId);
  const customizationIds = (await ctx.shopCatalogue.effects()).idsOf('roomCustomization');
  const purchaseId =
    existing?.purchaseId ??
    (await themePerkOf(ctx, userId)) ??
    (await ctx.purchases.useOne(userId, customizationIds, at, roomId))?.id ??
    (await usedEarlier(ctx, userId, roomId, customizationIds));
  if (!purchaseId) throw new AppError('CUSTOMIZATION_NOT_OWNED', undefined, { roomId });
  await ctx.stores.rooms.setCustomization({ roomId, color: body.color, theme: body.theme, purchaseId, updatedBy: userId, updatedAt: at });
  const [view] = await roomViewsWithEffects(ctx, [room]);
  if (!view) throw new Error(`room ${roomId} has no view`);
  return view;
}

/**
 * The tier perk custom room themes (issue 10, h10a): a caller whose tier has the customThemes
 * feature (platinum in both presets) themes a room without a room_customization purchase, and
 * keeps any such purchase unused. Recorded in place of the purchase id.
 */
export const THEME_PERK_MARK = 'perk:customThemes';

async function themePerkOf(ctx: Pick<AppContext, 'ledger' | 'economy' | 'purchases' | 'clock' | 'shopCatalogue'>, userId: string): Promise<string | null> {
  const perks = createShopPerks({ purchases: ctx.purchases, clock: ctx.clock, effects: ctx.shopCatalogue });
  const { benefits } = await tierOf({ ledger: ctx.ledger, economy: ctx.economy, perks }, userId);
  return benefits.features.customThemes ? THEME_PERK_MARK : null;
}

async function usedEarlier(ctx: Ctx, userId: string, roomId: string, customizationIds: readonly string[]): Promise<string | null> {
  const mine = await ctx.purchases.listByUser(userId, PURCHASES_LIST_MAX);
  const p = mine.find((x) => customizationIds.includes(x.itemId) && x.roomId === roomId && x.usedAt && !x.refundedAt);
  return p?.id ?? null;
}
