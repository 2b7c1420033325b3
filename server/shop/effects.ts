import type { CosmeticSlot, PurchaseState } from '../../shared/shop.js';
import type { z } from 'zod';
import type { itemEffectSchema, ShopItem, TierId } from '../economy/config/schema.js';
import type { PurchaseRecord } from './ports.js';

/**
 * What an item does once bought. Each effect is enforced somewhere: upload limits and room
 * creation read `perksOf`, the profile reads `cosmeticsOf`, rooms read pins, boosts and
 * customization credits, the tier source reads `tierUpgradeSteps`, the account reads
 * `prioritySupportUntil`. The kinds and their parameters are data (`itemEffectSchema`, validated
 * with the item), so an admin's new item works like a built-in one (issue 13, docs/shop.md).
 */
export type ItemEffect = z.infer<typeof itemEffectSchema>;

/**
 * The effects of the presets' item ids, for items that declare none: the seed's catalogues keep
 * working unchanged, and a purchase of an id since removed from the catalogue keeps its effect.
 */
const BUILT_IN_EFFECTS: Readonly<Record<string, ItemEffect>> = {
  extra_5gb_storage: { kind: 'storageGb', gb: 5 },
  file_storage_5gb: { kind: 'storageGb', gb: 5 },
  increase_file_size_50mb: { kind: 'fileSizeMb', mb: 50 },
  increased_file_size: { kind: 'fileSizeMb', mb: 50 },
  unlimited_rooms: { kind: 'unlimitedRooms' },
  private_room_create: { kind: 'privateRoomCredit' },
  private_room: { kind: 'privateRoomCredit' },
  custom_avatar_frame: { kind: 'cosmetic', slot: 'avatar_frame' },
  avatar_frame: { kind: 'cosmetic', slot: 'avatar_frame' },
  custom_chat_color: { kind: 'cosmetic', slot: 'chat_color' },
  chat_color: { kind: 'cosmetic', slot: 'chat_color' },
  animated_emoji: { kind: 'cosmetic', slot: 'emoji' },
  custom_emoji: { kind: 'cosmetic', slot: 'emoji' },
  profile_badge: { kind: 'cosmetic', slot: 'badge' },
  custom_theme: { kind: 'cosmetic', slot: 'theme' },
  room_customization: { kind: 'roomCustomization' },
  pin_important_message: { kind: 'pinMessage' },
  boost_room_visibility: { kind: 'roomBoost' },
  tier_upgrade: { kind: 'tierUpgrade' },
  priority_support: { kind: 'prioritySupport' },
  streak_freeze: { kind: 'streakFreeze' },
};

/**
 * Why an item without an effect is not sold. Items missing here too get the generic reason, so
 * the rule stays "no effect, no sale" whatever the catalogue adds.
 */
const UNAVAILABLE_REASONS: Readonly<Record<string, string>> = {
  priority_video_call: 'this server has no voice/video calls',
  screen_share_quality: 'this server has no screen sharing',
  voice_message_premium: 'this server has no voice messages',
};
const NO_EFFECT_REASON = 'this item has no effect on this server';

/** The effect a catalogue item has: the one it declares, else its id's built-in one; null when neither (not for sale). */
export function effectOf(item: Pick<ShopItem, 'id' | 'effect'>): ItemEffect | null {
  return item.effect ?? BUILT_IN_EFFECTS[item.id] ?? null;
}

/**
 * The effects of one catalogue, by item id: what reads of purchases (which carry only the item
 * id) resolve through. An id the catalogue does not have (removed since it was bought) keeps its
 * built-in effect, as before runtime items existed.
 */
export class ItemEffects {
  private readonly declared: ReadonlyMap<string, ItemEffect>;

  constructor(items: ReadonlyArray<Pick<ShopItem, 'id' | 'effect'>>) {
    this.declared = new Map(items.flatMap((i) => (i.effect ? [[i.id, i.effect] as const] : [])));
  }

  /** The effect of the item with this id, or null. */
  of(itemId: string): ItemEffect | null {
    return this.declared.get(itemId) ?? BUILT_IN_EFFECTS[itemId] ?? null;
  }

  /** Answers of idsOf: the table never changes, and tier steps ask it for every gift and summary. */
  private readonly idsByKind = new Map<ItemEffect['kind'], readonly string[]>();

  /** Every item id (declared or built in) whose effect is of `kind`: what purchase reads filter on. A fresh array (callers may sort it). */
  idsOf(kind: ItemEffect['kind']): string[] {
    let ids = this.idsByKind.get(kind);
    if (!ids) {
      ids = [...new Set([...this.declared.keys(), ...Object.keys(BUILT_IN_EFFECTS)])].filter((id) => this.of(id)?.kind === kind);
      this.idsByKind.set(kind, ids);
    }
    return [...ids];
  }
}

/** The built-in effects alone: a catalogue whose items declare none (tests, tools without a store). */
export const BUILT_IN_ITEM_EFFECTS = new ItemEffects([]);

/**
 * Where the effects of the current catalogue come from: server/shop/catalogue.ts, from a per-node
 * cache that is dropped when the catalogue changes on any node (server/shop/effects-cache.ts).
 */
export interface ItemEffectSource {
  /** The table, for reads that ask by effect kind (`idsOf`). */
  effects(): Promise<ItemEffects>;
  /** The table, reloaded first when it has no effect for one of these ids: for resolving purchases just read. */
  effectsFor(itemIds: Iterable<string>): Promise<ItemEffects>;
}

export type Availability = { available: true } | { available: false; reason: string };

/** Whether the item may be bought: exactly the items with an effect. */
export function availabilityOf(item: Pick<ShopItem, 'id' | 'effect'>): Availability {
  if (effectOf(item)) return { available: true };
  return { available: false, reason: UNAVAILABLE_REASONS[item.id] ?? NO_EFFECT_REASON };
}

/**
 * Whether buying the item needs `roomId`: the room effects (customization, pin, boost), bought
 * for one room. The private-room credit needs none: its room does not exist yet.
 */
export function needsRoom(item: Pick<ShopItem, 'id' | 'effect'>): boolean {
  const kind = effectOf(item)?.kind;
  return kind === 'roomCustomization' || kind === 'pinMessage' || kind === 'roomBoost';
}

/** Whether buying the item needs `messageId` (a message of the room): the pin. */
export function needsMessage(item: Pick<ShopItem, 'id' | 'effect'>): boolean {
  return effectOf(item)?.kind === 'pinMessage';
}

/** Where a purchase stands at `at`. A timed item ends exactly at `expiresAt`. */
export function purchaseState(p: Pick<PurchaseRecord, 'refundedAt' | 'usedAt' | 'expiresAt'>, at: Date): PurchaseState {
  if (p.refundedAt) return 'refunded';
  if (p.usedAt) return 'used';
  if (p.expiresAt && p.expiresAt.getTime() <= at.getTime()) return 'expired';
  return 'active';
}

/** The limit extensions a user's active purchases give; timed extensions of one kind add up. */
export interface Perks {
  fileSizeExtraMb: number;
  storageExtraGb: number;
  unlimitedRooms: boolean;
  /** Unused private-room credits (each lets one private room be created without the tier feature). */
  privateRoomCredits: number;
}

export const NO_PERKS: Readonly<Perks> = Object.freeze({ fileSizeExtraMb: 0, storageExtraGb: 0, unlimitedRooms: false, privateRoomCredits: 0 });

export function perksOf(purchases: readonly PurchaseRecord[], at: Date, effects: ItemEffects): Perks {
  const perks: Perks = { ...NO_PERKS };
  for (const p of purchases) {
    if (purchaseState(p, at) !== 'active') continue;
    const effect = effects.of(p.itemId);
    if (!effect) continue;
    if (effect.kind === 'fileSizeMb') perks.fileSizeExtraMb += effect.mb;
    else if (effect.kind === 'storageGb') perks.storageExtraGb += effect.gb;
    else if (effect.kind === 'unlimitedRooms') perks.unlimitedRooms = true;
    else if (effect.kind === 'privateRoomCredit') perks.privateRoomCredits += 1;
  }
  return perks;
}

/** The cosmetics a user owns at `at`, one per item (the earliest purchase), in purchase order. */
export function cosmeticsOf(purchases: readonly PurchaseRecord[], at: Date, effects: ItemEffects): Array<{ itemId: string; slot: CosmeticSlot; since: Date }> {
  const byItem = new Map<string, { itemId: string; slot: CosmeticSlot; since: Date }>();
  const oldestFirst = [...purchases].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const p of oldestFirst) {
    const effect = effects.of(p.itemId);
    if (effect?.kind !== 'cosmetic' || purchaseState(p, at) !== 'active' || byItem.has(p.itemId)) continue;
    byItem.set(p.itemId, { itemId: p.itemId, slot: effect.slot, since: p.createdAt });
  }
  return [...byItem.values()];
}

const isActiveOf = (kind: ItemEffect['kind'], effects: ItemEffects, at: Date) => (p: PurchaseRecord): boolean => effects.of(p.itemId)?.kind === kind && purchaseState(p, at) === 'active';

/** The active pins among `purchases` (pin items with a message), earliest expiry last: newest pin first. */
export function activePins(purchases: readonly PurchaseRecord[], at: Date, effects: ItemEffects): Array<{ purchaseId: string; roomId: string; messageId: string; pinnedBy: string; since: Date; until: Date }> {
  const out = [];
  for (const p of purchases) {
    if (!isActiveOf('pinMessage', effects, at)(p) || !p.roomId || !p.messageId || !p.expiresAt) continue;
    out.push({ purchaseId: p.id, roomId: p.roomId, messageId: p.messageId, pinnedBy: p.userId, since: p.createdAt, until: p.expiresAt });
  }
  return out.sort((a, b) => b.since.getTime() - a.since.getTime() || (a.purchaseId < b.purchaseId ? 1 : -1));
}

/** Boosted room id -> end of its latest active boost. */
export function boostedRooms(purchases: readonly PurchaseRecord[], at: Date, effects: ItemEffects): Map<string, Date> {
  const out = new Map<string, Date>();
  for (const p of purchases) {
    if (!isActiveOf('roomBoost', effects, at)(p) || !p.roomId || !p.expiresAt) continue;
    const until = out.get(p.roomId);
    if (!until || until < p.expiresAt) out.set(p.roomId, p.expiresAt);
  }
  return out;
}

const TIER_ORDER: readonly TierId[] = ['bronze', 'silver', 'gold', 'platinum'];

/** How many tier steps the user's active tier-upgrade purchases give: one each (they stack). */
export function tierUpgradeSteps(purchases: readonly PurchaseRecord[], at: Date, effects: ItemEffects): number {
  return purchases.filter(isActiveOf('tierUpgrade', effects, at)).length;
}

/** The tier `steps` above `base`; platinum is the top and stays. */
export function raiseTier(base: TierId, steps: number): TierId {
  const i = Math.min(TIER_ORDER.length - 1, TIER_ORDER.indexOf(base) + Math.max(0, steps));
  return TIER_ORDER[i] ?? base;
}

/** The end of the user's latest active priority-support purchase, or null when none is active. */
export function prioritySupportUntil(purchases: readonly PurchaseRecord[], at: Date, effects: ItemEffects): Date | null {
  let until: Date | null = null;
  for (const p of purchases) {
    if (!isActiveOf('prioritySupport', effects, at)(p) || !p.expiresAt) continue;
    if (!until || until < p.expiresAt) until = p.expiresAt;
  }
  return until;
}
