import type { ShopItem } from '../economy/config/schema.js';
import { itemExpiresAt } from '../economy/rules/refunds.js';
import { spendEntry, type DraftInput } from '../ledger/entries.js';
import { SINK, userAccount, type CounterClaim, type JournalEntry } from '../ledger/ports.js';
import type { NewPurchase } from './ports.js';

/**
 * The ledger `spend` entry of a purchase carries everything its purchase record needs, so the
 * record can always be (re)built from the entry alone: after a crash between the two writes, a
 * retry or a read completes it (docs/shop.md).
 */
export const SHOP_ACTIVITY_PREFIX = 'shop:';

export interface PurchaseRequestShape {
  itemId: string;
  requestId: string;
  roomId?: string | undefined;
  messageId?: string | undefined;
}

/** `claims`: the bounded counters the purchase takes with the charge (limited editions, issue 13). */
export function purchaseDraft(userId: string, item: ShopItem, req: PurchaseRequestShape, idempotencyKey: string, claims: CounterClaim[] = []): DraftInput {
  const draft = spendEntry(userId, item.cost, {
    idempotencyKey,
    activity: `${SHOP_ACTIVITY_PREFIX}${item.id}`,
    roomId: req.roomId ?? null,
    metadata: {
      requestId: req.requestId,
      itemId: item.id,
      category: item.category,
      durationHours: item.duration.kind === 'timed' ? item.duration.hours : null,
      messageId: req.messageId ?? null,
    },
  });
  return claims.length > 0 ? { ...draft, claims } : draft;
}

/** The purchase an entry paid for, or null when the entry is not a shop purchase of `userId`. */
export function purchaseFromEntry(entry: JournalEntry, userId: string): NewPurchase | null {
  const m = entry.metadata;
  const itemId = m['itemId'];
  const category = m['category'];
  const hours = m['durationHours'];
  const messageId = m['messageId'];
  if (entry.kind !== 'spend' || typeof itemId !== 'string' || typeof category !== 'string') return null;
  if (entry.activity !== `${SHOP_ACTIVITY_PREFIX}${itemId}`) return null;
  const debit = entry.legs.find((l) => l.account === userAccount(userId) && l.amount < 0);
  if (!debit || !entry.legs.some((l) => l.account === SINK)) return null;
  const duration: ShopItem['duration'] = typeof hours === 'number' ? { kind: 'timed', hours } : { kind: 'permanent' };
  return {
    id: entry.id,
    userId,
    itemId,
    category,
    cost: -debit.amount,
    entryId: entry.id,
    roomId: entry.roomId,
    messageId: typeof messageId === 'string' ? messageId : null,
    createdAt: entry.createdAt,
    expiresAt: itemExpiresAt({ duration }, entry.createdAt),
  };
}

/** Whether an earlier entry under this requestId is this very purchase (same item, room and message). */
export function samePurchase(entry: JournalEntry, userId: string, req: PurchaseRequestShape): boolean {
  const p = purchaseFromEntry(entry, userId);
  return p !== null && p.itemId === req.itemId && p.roomId === (req.roomId ?? null) && p.messageId === (req.messageId ?? null);
}
