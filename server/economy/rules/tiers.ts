import { TIER_IDS, type EconomyConfig, type TierBenefits, type TierId } from '../config/schema.js';

/**
 * The seed's calculateUserTier with thresholds from the config. `amount` is the balance or the
 * lifetime earned total, whichever `config.tiers.basis` names (the caller picks the number).
 */
export function calculateUserTier(amount: number, config: EconomyConfig): TierId {
  const t = config.tiers.thresholds;
  if (amount >= t.platinum) return 'platinum';
  if (amount >= t.gold) return 'gold';
  if (amount >= t.silver) return 'silver';
  return 'bronze';
}

/** The number the tier is computed from, per the configured basis. */
export function tierBasisAmount(user: { balance: number; lifetimeEarned: number }, config: EconomyConfig): number {
  return config.tiers.basis === 'balance' ? user.balance : user.lifetimeEarned;
}

export interface TierProgress {
  tier: TierId;
  badge: string;
  benefits: TierBenefits;
  next: TierId | null;
  /** Threshold of the next tier; null at the top. */
  nextThreshold: number | null;
  /** Tokens still missing for the next tier (0 at the top). */
  remaining: number;
  /** 0..1 progress from this tier's threshold to the next one (1 at the top). */
  progress: number;
}

/** Tier, benefits and progress towards the next tier for `amount`. */
export function tierProgress(amount: number, config: EconomyConfig): TierProgress {
  const tier = calculateUserTier(amount, config);
  const index = TIER_IDS.indexOf(tier);
  const next = TIER_IDS[index + 1] ?? null;
  const benefits = config.tiers.benefits[tier];
  const base = { tier, badge: benefits.badge, benefits, next };
  if (next === null) return { ...base, nextThreshold: null, remaining: 0, progress: 1 };
  const from = config.tiers.thresholds[tier];
  const to = config.tiers.thresholds[next];
  const clamped = Math.max(from, Math.min(amount, to));
  return { ...base, nextThreshold: to, remaining: to - clamped, progress: (clamped - from) / (to - from) };
}
