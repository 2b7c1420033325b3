import type { LimitedEditionView } from '../../shared/shop.js';
import type { ShopItem } from '../economy/config/schema.js';
import type { CounterClaim } from '../ledger/ports.js';
import type { ClaimRefusedError } from '../ledger/rules.js';
import { AppError } from '../lib/app-error.js';

/**
 * Limited editions (issue 13, docs/shop.md): an item with `stock`, `perUserLimit` and/or a sale
 * window. Stock and the per-user limit are bounded counters of the ledger (EntryDraft.claims),
 * taken in the same transaction as the charge on both backends: a purchase refused by one of them
 * is charged nothing, and no race on any node sells more than the stock. Pure rules only.
 */

/** The counter of units sold (all users, all nodes). */
export const stockKey = (itemId: string): string => `shop:stock:${itemId}`;
/** The counter of one user's purchases of the item. */
export const userLimitKey = (itemId: string, userId: string): string => `shop:user:${itemId}:${userId}`;

/** True when the item has a stock, a per-user limit or a sale window. */
export function isLimitedEdition(item: ShopItem): boolean {
  return item.stock !== undefined || item.perUserLimit !== undefined || item.availableFrom !== undefined || item.availableUntil !== undefined;
}

/** True when `at` is inside the item's sale window (either bound may be absent; the end is exclusive). */
export function onSaleAt(item: ShopItem, at: Date): boolean {
  const t = at.getTime();
  if (item.availableFrom !== undefined && t < Date.parse(item.availableFrom)) return false;
  if (item.availableUntil !== undefined && t >= Date.parse(item.availableUntil)) return false;
  return true;
}

/** ITEM_NOT_ON_SALE outside the window (before anything is charged). */
export function assertOnSale(item: ShopItem, at: Date): void {
  if (onSaleAt(item, at)) return;
  throw new AppError('ITEM_NOT_ON_SALE', undefined, { itemId: item.id, availableFrom: item.availableFrom ?? null, availableUntil: item.availableUntil ?? null });
}

/** The counters one purchase of `item` by `userId` takes. */
export function purchaseClaims(item: ShopItem, userId: string): CounterClaim[] {
  const claims: CounterClaim[] = [];
  if (item.stock !== undefined) claims.push({ key: stockKey(item.id), delta: 1, max: item.stock });
  if (item.perUserLimit !== undefined) claims.push({ key: userLimitKey(item.id, userId), delta: 1, max: item.perUserLimit });
  return claims;
}

/** The catalogued error for a counter that refused a purchase of `item`, or null when the key is not a limited edition's. */
export function limitRefusal(err: ClaimRefusedError, item: ShopItem, userId: string): AppError | null {
  if (err.key === stockKey(item.id)) return new AppError('OUT_OF_STOCK', undefined, { itemId: item.id, stock: err.max, stockLeft: Math.max(0, err.max - err.count) });
  if (err.key === userLimitKey(item.id, userId)) return new AppError('PURCHASE_LIMIT_REACHED', undefined, { itemId: item.id, perUserLimit: err.max, bought: err.count });
  return null;
}

/** Stock left: never negative (an admin may lower the stock below what was sold). */
export const stockLeftOf = (stock: number, sold: number): number => Math.max(0, stock - sold);

/** The limited-edition part of an item's view, or undefined for an ordinary item. */
export function limitedView(item: ShopItem, sold: number, at: Date): LimitedEditionView | undefined {
  if (!isLimitedEdition(item)) return undefined;
  return {
    stock: item.stock ?? null,
    stockLeft: item.stock === undefined ? null : stockLeftOf(item.stock, sold),
    perUserLimit: item.perUserLimit ?? null,
    availableFrom: item.availableFrom ?? null,
    availableUntil: item.availableUntil ?? null,
    onSale: onSaleAt(item, at),
  };
}
