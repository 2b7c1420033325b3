/**
 * Response shapes of the shop routes (`/api/shop/*`) and the `cosmetics` of a profile. Times are
 * ISO-8601 strings; amounts are whole tokens.
 */

export type ShopCategory = 'appearance' | 'room' | 'storage' | 'communication' | 'cosmetic' | 'functional' | 'premium';

/** How long an item lasts: for ever, a number of hours from purchase, or until used once. */
export type ShopDurationView = { kind: 'permanent' } | { kind: 'timed'; hours: number } | { kind: 'consumable'; per: 'room' | 'call' | 'session' | 'missed_day' };

/**
 * A limited edition's sale (issue 13): what is left now and when it may be bought. Present only
 * on items with a stock, a per-user limit or a sale window.
 */
export interface LimitedEditionView {
  /** How many may be sold in all; null = no stock limit. */
  stock: number | null;
  /** How many are left now (stock minus sold, refunds given back); null = no stock limit. */
  stockLeft: number | null;
  /** How many one user may buy; null = no limit. */
  perUserLimit: number | null;
  /** ISO-8601; null = no bound. */
  availableFrom: string | null;
  availableUntil: string | null;
  /** Whether the window is open at the time of the answer. */
  onSale: boolean;
}

/** `shop:stock` (to sockets watching the shop, `shop:watch`): a limited edition's stock changed. */
export interface ShopStockEvent {
  itemId: string;
  stock: number;
  stockLeft: number;
}

export interface ShopItemView {
  id: string;
  name: string;
  category: ShopCategory;
  cost: number;
  duration: ShopDurationView;
  /** True when buying it needs `roomId` (owner or moderator; a pin: any member). */
  needsRoom: boolean;
  /** True when buying it needs `messageId`: a message of that room (pin_important_message). */
  needsMessage: boolean;
  /** False for items this server has no effect for: buying answers ITEM_NOT_AVAILABLE. */
  available: boolean;
  /** Why it is not available (only when `available` is false). */
  unavailableReason?: string;
  /** Limited edition (issue 13): stock left and sale window; absent for an ordinary item. */
  limited?: LimitedEditionView;
}

/** active: in effect now; expired: a timed item past its end; used: a spent consumable; refunded. */
export type PurchaseState = 'active' | 'expired' | 'used' | 'refunded';

export interface PurchaseView {
  id: string;
  userId: string;
  itemId: string;
  category: string;
  cost: number;
  roomId: string | null;
  /** The message a pin was bought for; null otherwise. */
  messageId: string | null;
  /** The ledger entry that charged it (`spend`). */
  entryId: string;
  createdAt: string;
  /** null for permanent items and consumables. */
  expiresAt: string | null;
  usedAt: string | null;
  refundedAt: string | null;
  refundAmount: number | null;
  state: PurchaseState;
}

export interface PurchaseResult {
  purchase: PurchaseView;
  /** The buyer's balance after the purchase (now, for a repeated request). */
  balance: number;
  /** True when this requestId was already used for this purchase: nothing new was charged. */
  duplicate: boolean;
}

export interface RefundResult {
  purchase: PurchaseView;
  refunded: number;
  /** Which refund rule applied (TIMED_FULL, TIMED_PARTIAL, UNUSED). */
  rule: string;
  balance: number;
}

/**
 * `GET /api/shop/purchases/:id/refund` (issue 9): what a refund would pay now, before asking.
 * `refundable` false with rule `ITEM_USED` when the item already produced something lasting
 * (`produced`: rooms over the tier's limit, a file over the tier's size, storage over the quota).
 */
export interface RefundQuoteView {
  purchaseId: string;
  refundable: boolean;
  amount: number;
  percent: number;
  /** TIMED_FULL, TIMED_PARTIAL, TIMED_EXPIRED, UNUSED, CONSUMED, PERMANENT_NO_REFUND, ITEM_USED or ALREADY_REFUNDED. */
  rule: string;
  produced?: Record<string, unknown>;
}

export interface OwnedItemsView {
  userId: string;
  /** In effect now, newest first. */
  active: PurchaseView[];
  /** No longer in effect (expired, used or refunded), newest first. */
  expired: PurchaseView[];
}

export type CosmeticSlot = 'avatar_frame' | 'chat_color' | 'emoji' | 'badge' | 'theme';

/** A cosmetic the user owns, shown on the profile. */
export interface CosmeticView {
  itemId: string;
  slot: CosmeticSlot;
  since: string;
}
