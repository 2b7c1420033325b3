import type { CosmeticSlot, PurchaseState } from '../../shared/shop.js';
import type { ShopItem, TierId } from '../economy/config/schema.js';
import type { PurchaseRecord } from './ports.js';

/**
 * What each catalogue item does once bought, by item id (both presets' ids). The catalogue is
 * config (prices, durations); the effect is code, because each one is enforced somewhere:
 * upload limits and room creation read `perksOf`, the profile reads `cosmeticsOf`, rooms read
 * pins, boosts and customization credits, the tier source reads `tierUpgradeSteps`, the account
 * reads `prioritySupportUntil`. An item with no effect here is not for sale (`availabilityOf`):
 * a catalogue entry without code can never take tokens for nothing (docs/shop.md).
 */
export type ItemEffect =
  | { kind: 'fileSizeMb'; mb: number }
  | { kind: 'storageGb'; gb: number }
  | { kind: 'unlimitedRooms' }
  | { kind: 'privateRoomCredit' }
  | { kind: 'cosmetic'; slot: CosmeticSlot }
  | { kind: 'roomCustomization' }
  | { kind: 'pinMessage' }
  | { kind: 'roomBoost' }
  | { kind: 'tierUpgrade' }
  | { kind: 'prioritySupport' }
  // Issue 13: protects the login streak for one missed day (server/shop/streak-freeze.ts).
  | { kind: 'streakFreeze' };

const EFFECTS: Readonly<Record<string, ItemEffect>> = {
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

/** The item's effect, or null when this server has none for it (then it is not for sale). */
export function effectOf(itemId: string): ItemEffect | null {
  return EFFECTS[itemId] ?? null;
}

export type Availability = { available: true } | { available: false; reason: string };

/** Whether the item may be bought: exactly the items with an effect. */
export function availabilityOf(itemId: string): Availability {
  if (effectOf(itemId)) return { available: true };
  return { available: false, reason: UNAVAILABLE_REASONS[itemId] ?? NO_EFFECT_REASON };
}

/** Ids of the effect table's items of one kind (both presets). */
function itemsOfKind(kind: ItemEffect['kind']): readonly string[] {
  return Object.keys(EFFECTS).filter((id) => effectOf(id)?.kind === kind);
}

/** Item ids whose purchase is a credit for creating one private room. */
export const PRIVATE_ROOM_CREDIT_ITEMS = itemsOfKind('privateRoomCredit');
export const ROOM_CUSTOMIZATION_ITEMS = itemsOfKind('roomCustomization');
export const PIN_MESSAGE_ITEMS = itemsOfKind('pinMessage');
export const STREAK_FREEZE_ITEMS = itemsOfKind('streakFreeze');
export const ROOM_BOOST_ITEMS = itemsOfKind('roomBoost');
export const TIER_UPGRADE_ITEMS = itemsOfKind('tierUpgrade');
export const PRIORITY_SUPPORT_ITEMS = itemsOfKind('prioritySupport');

/**
 * Whether buying the item needs `roomId`: the room effects (customization, pin, boost), bought
 * for one room. The private-room credit needs none: its room does not exist yet.
 */
export function needsRoom(item: Pick<ShopItem, 'id'>): boolean {
  const kind = effectOf(item.id)?.kind;
  return kind === 'roomCustomization' || kind === 'pinMessage' || kind === 'roomBoost';
}

/** Whether buying the item needs `messageId` (a message of the room): the pin. */
export function needsMessage(item: Pick<ShopItem, 'id'>): boolean {
  return effectOf(item.id)?.kind === 'pinMessage';
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

export function perksOf(purchases: readonly PurchaseRecord[], at: Date): Perks {
  const perks: Perks = { ...NO_PERKS };
  for (const p of purchases) {
    if (purchaseState(p, at) !== 'active') continue;
    const effect = effectOf(p.itemId);
    if (!effect) continue;
    if (effect.kind === 'fileSizeMb') perks.fileSizeExtraMb += effect.mb;
    else if (effect.kind === 'storageGb') perks.storageExtraGb += effect.gb;
    else if (effect.kind === 'unlimitedRooms') perks.unlimitedRooms = true;
    else if (effect.kind === 'privateRoomCredit') perks.privateRoomCredits += 1;
  }
  return perks;
}

/** The cosmetics a user owns at `at`, one per item (the earliest purchase), in purchase order. */
export function cosmeticsOf(purchases: readonly PurchaseRecord[], at: Date): Array<{ itemId: string; slot: CosmeticSlot; since: Date }> {
  const byItem = new Map<string, { itemId: string; slot: CosmeticSlot; since: Date }>();
  const oldestFirst = [...purchases].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const p of oldestFirst) {
    const effect = effectOf(p.itemId);
    if (effect?.kind !== 'cosmetic' || purchaseState(p, at) !== 'active' || byItem.has(p.itemId)) continue;
    byItem.set(p.itemId, { itemId: p.itemId, slot: effect.slot, since: p.createdAt });
  }
  return [...byItem.values()];
}

const isActiveOf = (items: readonly string[], at: Date) => (p: PurchaseRecord): boolean => items.includes(p.itemId) && purchaseState(p, at) === 'active';

/** The active pins among `purchases` (pin items with a message), earliest expiry last: newest pin first. */
export function activePins(purchases: readonly PurchaseRecord[], at: Date): Array<{ purchaseId: string; roomId: string; messageId: string; pinnedBy: string; since: Date; until: Date }> {
  const out = [];
  for (const p of purchases) {
    if (!isActiveOf(PIN_MESSAGE_ITEMS, at)(p) || !p.roomId || !p.messageId || !p.expiresAt) continue;
    out.push({ purchaseId: p.id, roomId: p.roomId, messageId: p.messageId, pinnedBy: p.userId, since: p.createdAt, until: p.expiresAt });
  }
  return out.sort((a, b) => b.since.getTime() - a.since.getTime() || (a.purchaseId < b.purchaseId ? 1 : -1));
}

/** Boosted room id -> end of its latest active boost. */
export function boostedRooms(purchases: readonly PurchaseRecord[], at: Date): Map<string, Date> {
  const out = new Map<string, Date>();
  for (const p of purchases) {
    if (!isActiveOf(ROOM_BOOST_ITEMS, at)(p) || !p.roomId || !p.expiresAt) continue;
    const until = out.get(p.roomId);
    if (!until || until < p.expiresAt) out.set(p.roomId, p.expiresAt);
  }
  return out;
}

const TIER_ORDER: readonly TierId[] = ['bronze', 'silver', 'gold', 'platinum'];

/** How many tier steps the user's active tier_upgrade purchases give: one each (they stack). */
export function tierUpgradeSteps(purchases: readonly PurchaseRecord[], at: Date): number {
  return purchases.filter(isActiveOf(TIER_UPGRADE_ITEMS, at)).length;
}

/** The tier `steps` above `base`; platinum is the top and stays. */
export function raiseTier(base: TierId, steps: number): TierId {
  const i = Math.min(TIER_ORDER.length - 1, TIER_ORDER.indexOf(base) + Math.max(0, steps));
  return TIER_ORDER[i] ?? base;
}

/** The end of the user's latest active priority_support purchase, or null when none is active. */
export function prioritySupportUntil(purchases: readonly PurchaseRecord[], at: Date): Date | null {
  let until: Date | null = null;
  for (const p of purchases) {
    if (!isActiveOf(PRIORITY_SUPPORT_ITEMS, at)(p) || !p.expiresAt) continue;
    if (!until || until < p.expiresAt) until = p.expiresAt;
  }
  return until;
}
