import type { EconomyConfig, TierId } from '../config/schema.js';

/** The daily gift allowance in tokens of a tier; null = unlimited (platinum). */
export function giftAllowanceTokens(tier: TierId, config: EconomyConfig): number | null {
  return config.tiers.benefits[tier].giftLimitDaily;
}

export type GiftLimitDecision =
  | { allowed: true }
  | { allowed: false; reason: 'GIFT_COUNT_LIMIT' | 'GIFT_TOKEN_LIMIT'; remainingCount: number; remainingTokens: number | null };

/**
 * Whether a gift of `amount` fits today's limits given what was already gifted today (UTC): at
 * most `gifts.maxPerDay` gifts and the tier's token allowance. The counters in server/caps apply
 * the same rule atomically; this is for previews and for the in-transaction recheck.
 */
export function checkGiftLimits(
  input: { amount: number; tier: TierId; sentToday: { count: number; tokens: number } },
  config: EconomyConfig,
): GiftLimitDecision {
  const maxTokens = giftAllowanceTokens(input.tier, config);
  const remainingCount = Math.max(0, config.gifts.maxPerDay - input.sentToday.count);
  const remainingTokens = maxTokens === null ? null : Math.max(0, maxTokens - input.sentToday.tokens);
  if (remainingCount === 0) return { allowed: false, reason: 'GIFT_COUNT_LIMIT', remainingCount, remainingTokens };
  if (remainingTokens !== null && input.amount > remainingTokens) return { allowed: false, reason: 'GIFT_TOKEN_LIMIT', remainingCount, remainingTokens };
  return { allowed: true };
}

/** The recipient's receive_gift bonus (before multipliers and caps): flat, or a percent of the gift if larger. */
export function receiveGiftBonus(amount: number, config: EconomyConfig): number {
  const flat = config.activities.receive_gift.tokens;
  const pct = config.gifts.receiveBonusPercentOfGift;
  return pct > 0 ? Math.max(flat, Math.floor((amount * pct) / 100)) : flat;
}
