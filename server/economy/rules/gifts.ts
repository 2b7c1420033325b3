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

// Economy integrity (issue 9): vesting and the new-account allowance (docs/gifts.md).

/** Entry kinds whose credits are "received" and vest before they can be gifted onward. */
export const VESTING_KINDS = ['gift', 'grant'] as const;

/**
 * What of the balance may be gifted now: the balance less what was received by gift or room reward
 * within the hold (`vestingTokens`, the credits of VESTING_KINDS since `at - receivedHoldHours`).
 * Recent receipts are assumed unspent, so pass-back farming cannot route them onward early.
 */
export function giftableTokens(balance: number, vestingTokens: number): number {
  return Math.max(0, balance - Math.max(0, vestingTokens));
}

/** The start of the vesting window at `at`, or null when the hold is off. */
export function vestingSince(at: Date, config: EconomyConfig): Date | null {
  const hours = config.gifts.receivedHoldHours;
  return hours > 0 ? new Date(at.getTime() - hours * 3_600_000) : null;
}

/**
 * The daily gift allowance of a sender: the tier's, lowered to `gifts.newAccountDailyTokens` while
 * the account is younger than `gifts.newAccountDays` (so a fresh alt cannot pass tokens on at a
 * borrowed tier's rate). `newAccount` says which limit applies.
 */
export function senderGiftAllowance(tier: TierId, accountCreatedAt: Date, at: Date, config: EconomyConfig): { tokens: number | null; newAccount: boolean } {
  const tierTokens = giftAllowanceTokens(tier, config);
  const { newAccountDays, newAccountDailyTokens } = config.gifts;
  const young = newAccountDays > 0 && at.getTime() - accountCreatedAt.getTime() < newAccountDays * 86_400_000;
  if (!young || (tierTokens !== null && tierTokens <= newAccountDailyTokens)) return { tokens: tierTokens, newAccount: false };
  return { tokens: newAccountDailyTokens, newAccount: true };
}
