import type { CosmeticSlot, PurchaseState } from '../../shared/shop.js';
import type { ShopItem } from '../economy/config/schema.js';
import type { PurchaseRecord } from './ports.js';

/**
 * What each catalogue item does once bought, by item id (both presets' ids). The catalogue is
 * config (prices, durations); the effect is code, because each one is enforced somewhere:
 * upload limits and room creation read `perksOf`, the profile reads `cosmeticsOf`. Items not
 * listed (room_customization, pin_important_message, boost_room_visibility, the call and session
 * items, voice_message_premium, tier_upgrade, priority_support) are recorded as owned only: the
 * server has no feature for them to change yet (docs/shop.md).
 */
export type ItemEffect =
  | { kind: 'fileSizeMb'; mb: number }
  | { kind: 'storageGb'; gb: number }
  | { kind: 'unlimitedRooms' }
  | { kind: 'privateRoomCredit' }
  | { kind: 'cosmetic'; slot: CosmeticSlot }
  | { kind: 'recorded' };

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
};

export function effectOf(itemId: string): ItemEffect {
  return EFFECTS[itemId] ?? { kind: 'recorded' };
}

/** Item ids whose purchase is a credit for creating one private room. */
export const PRIVATE_ROOM_CREDIT_ITEMS: readonly string[] = Object.keys(EFFECTS).filter((id) => effectOf(id).kind === 'privateRoomCredit');

/**
 * Whether buying the item needs `roomId` (a room the buyer owns or moderates): consumables "per
 * room", except the private-room credit, whose room does not exist yet (it is used by creating one).
 */
export function needsRoom(item: Pick<ShopItem, 'id' | 'duration'>): boolean {
  return item.duration.kind === 'consumable' && item.duration.per === 'room' && effectOf(item.id).kind !== 'privateRoomCredit';
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
    if (effect.kind !== 'cosmetic' || purchaseState(p, at) !== 'active' || byItem.has(p.itemId)) continue;
    byItem.set(p.itemId, { itemId: p.itemId, slot: effect.slot, since: p.createdAt });
  }
  return [...byItem.values()];
}
