import type { PurchaseView, ShopItemView } from '../../shared/shop.js';
import type { ShopItem } from '../economy/config/schema.js';
import type { PurchaseRecord } from './ports.js';
import { availabilityOf, needsMessage, needsRoom, purchaseState } from './effects.js';

export function itemView(item: ShopItem): ShopItemView {
  const availability = availabilityOf(item);
  return {
    id: item.id,
    name: item.name,
    category: item.category,
    cost: item.cost,
    duration: item.duration,
    needsRoom: needsRoom(item),
    needsMessage: needsMessage(item),
    available: availability.available,
    ...(availability.available ? {} : { unavailableReason: availability.reason }),
  };
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function purchaseView(p: PurchaseRecord, at: Date): PurchaseView {
  return {
    id: p.id,
    userId: p.userId,
    itemId: p.itemId,
    category: p.category,
    cost: p.cost,
    roomId: p.roomId,
    messageId: p.messageId,
    entryId: p.entryId,
    createdAt: p.createdAt.toISOString(),
    expiresAt: iso(p.expiresAt),
    usedAt: iso(p.usedAt),
    refundedAt: iso(p.refundedAt),
    refundAmount: p.refundAmount,
    state: purchaseState(p, at),
  };
}
