import type { EconomyConfig, ShopItem } from '../config/schema.js';

export type RefundRule = 'PERMANENT_NO_REFUND' | 'TIMED_FULL' | 'TIMED_PARTIAL' | 'TIMED_EXPIRED' | 'UNUSED' | 'CONSUMED' | 'LIMITED_EDITION';

export interface RefundQuote {
  percent: number;
  /** Whole tokens back: floor(cost × percent / 100). */
  amount: number;
  rule: RefundRule;
}

/**
 * The seed's REFUND_POLICY. Permanent items: no refund. Timed items (their clock starts at
 * purchase): 100% within 1 hour, 50% within 24 hours, none after. Consumables (per room / call /
 * session) not yet used: 90%; once used: none. Issue 13: a limited edition (an item with a stock
 * or a per-user limit) is final sale: none (its counters only go up, so no refund reopens a sale).
 */
export function quoteRefund(
  input: { item: Pick<ShopItem, 'duration' | 'stock' | 'perUserLimit'>; cost: number; purchasedAt: Date; at: Date; used: boolean },
  config: EconomyConfig,
): RefundQuote {
  const p = config.refundPolicy;
  const quote = (percent: number, rule: RefundRule): RefundQuote => ({ percent, amount: Math.floor((input.cost * percent) / 100), rule });
  if (input.item.stock !== undefined || input.item.perUserLimit !== undefined) return quote(0, 'LIMITED_EDITION');
  const d = input.item.duration;
  if (d.kind === 'permanent') return quote(p.permanentPercent, 'PERMANENT_NO_REFUND');
  if (d.kind === 'consumable') return input.used ? quote(0, 'CONSUMED') : quote(p.unusedPercent, 'UNUSED');
  const elapsedMin = (input.at.getTime() - input.purchasedAt.getTime()) / 60_000;
  if (elapsedMin <= p.timed.fullWithinMinutes) return quote(p.timed.fullPercent, 'TIMED_FULL');
  if (elapsedMin <= p.timed.partialWithinMinutes) return quote(p.timed.partialPercent, 'TIMED_PARTIAL');
  return quote(p.timed.afterPercent, 'TIMED_EXPIRED');
}

/** When a timed item stops working; null for permanent items and consumables. */
export function itemExpiresAt(item: Pick<ShopItem, 'duration'>, purchasedAt: Date): Date | null {
  return item.duration.kind === 'timed' ? new Date(purchasedAt.getTime() + item.duration.hours * 3_600_000) : null;
}
