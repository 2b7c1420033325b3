import type { ActivityId, EconomyConfig, TierId } from '../config/schema.js';
import { applyMultiplier, computeMultiplier, type ActiveEvent, type MultiplierBreakdown } from './multipliers.js';

export interface AwardComputation {
  activity: ActivityId;
  /** The config's tokens for the activity (or the explicit base, e.g. a receive_gift percent). */
  base: number;
  multiplier: MultiplierBreakdown;
  /** Whole tokens to ask the caps for. */
  credit: number;
  /** The user's new remainder (billionths); persist it with the ledger write. */
  carry: number;
}

/**
 * Step one of an inline award, before the caps: base × (streak × tier × event) plus the carried
 * remainder. Step two is `CapCounter.reserve({ amount: credit })`, step three the ledger write
 * of the granted tokens together with the new carry (or `release` if that write fails).
 */
export function computeAward(
  input: { activity: ActivityId; streakDays: number; tier: TierId; at: Date; carry: number; base?: number; extraEvents?: readonly ActiveEvent[] },
  config: EconomyConfig,
): AwardComputation {
  const base = input.base ?? config.activities[input.activity].tokens;
  const multiplier = computeMultiplier({ streakDays: input.streakDays, tier: input.tier, at: input.at, ...(input.extraEvents ? { extraEvents: input.extraEvents } : {}) }, config);
  const { credit, carry } = applyMultiplier(base, multiplier.combinedScaled, input.carry);
  return { activity: input.activity, base, multiplier, credit, carry };
}
