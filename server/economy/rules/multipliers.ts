import type { EconomyConfig, TierId } from '../config/schema.js';
import { isUtcWeekend } from './periods.js';

/**
 * Multipliers are exact: each factor has at most three decimals (the config enforces it), so it
 * is an integer number of thousandths, and streak × tier × event is an integer number of
 * billionths (`MULTIPLIER_SCALE`). Awards are computed in billionths of a token with BigInt, so
 * no floating-point drift ever reaches a balance.
 */
export const MULTIPLIER_SCALE = 1_000_000_000;
const FACTOR_SCALE = 1000;

/** A config multiplier (e.g. 1.25) as integer thousandths (1250). */
export function toThousandths(m: number): number {
  return Math.round(m * FACTOR_SCALE);
}

/** The streak step that applies: the highest step with `days` <= streakDays, else 1.0. */
export function streakMultiplier(streakDays: number, config: EconomyConfig): number {
  let m = 1;
  for (const step of config.multipliers.streak) if (streakDays >= step.days) m = step.multiplier;
  return m;
}

export interface ActiveEvent {
  id: string;
  kind: 'weekend' | 'holiday' | 'special_event' | 'season';
  multiplier: number;
}

/** Every event bonus active at `at`: the UTC weekend and any configured window [startsAt, endsAt). */
export function activeEvents(at: Date, config: EconomyConfig): ActiveEvent[] {
  const ev = config.multipliers.event;
  const out: ActiveEvent[] = [];
  if (ev.weekend.enabled && isUtcWeekend(at)) out.push({ id: 'weekend', kind: 'weekend', multiplier: ev.weekend.multiplier });
  const t = at.getTime();
  for (const w of ev.windows) {
    if (t >= Date.parse(w.startsAt) && t < Date.parse(w.endsAt)) {
      out.push({ id: w.id, kind: w.kind, multiplier: w.multiplier ?? (w.kind === 'holiday' ? ev.holiday : ev.specialEvent) });
    }
  }
  return out;
}

/** Overlapping events do not stack: the largest active event multiplier applies (1.0 if none). */
export function eventMultiplier(at: Date, config: EconomyConfig): number {
  return activeEvents(at, config).reduce((m, e) => Math.max(m, e.multiplier), 1);
}

export interface MultiplierBreakdown {
  streak: number;
  tier: number;
  event: number;
  events: ActiveEvent[];
  /** streak × tier × event bounded by maxCombined, in billionths (1.1 => 1_100_000_000). */
  combinedScaled: number;
  /** The same as a number, for display only; never compute tokens with it. */
  combined: number;
  capped: boolean;
}

/**
 * streak × tier × event at `at`, bounded by `config.multipliers.maxCombined`. `extraEvents` are
 * events active at `at` from outside the config (issue 13: running seasons, read from the store by
 * the caller); like the config's windows they do not stack, the largest applies.
 */
export function computeMultiplier(input: { streakDays: number; tier: TierId; at: Date; extraEvents?: readonly ActiveEvent[] }, config: EconomyConfig): MultiplierBreakdown {
  const streak = streakMultiplier(input.streakDays, config);
  const tier = config.multipliers.tier[input.tier];
  const events = [...activeEvents(input.at, config), ...(input.extraEvents ?? [])];
  const event = events.reduce((m, e) => Math.max(m, e.multiplier), 1);
  const product = toThousandths(streak) * toThousandths(tier) * toThousandths(event); // < 2^53 for factors <= 100
  const max = toThousandths(config.multipliers.maxCombined) * 1_000_000;
  const combinedScaled = Math.min(product, max);
  return { streak, tier, event, events, combinedScaled, combined: combinedScaled / MULTIPLIER_SCALE, capped: product > max };
}

export interface CarryResult {
  /** Whole tokens to credit. */
  credit: number;
  /** New fractional remainder in billionths of a token, 0 <= carry < MULTIPLIER_SCALE. */
  carry: number;
}

/**
 * base × multiplier plus the user's carried remainder, split into whole tokens and a new
 * remainder. Over any sequence the credited sum equals floor(Σ base_i × m_i) exactly.
 *
 * @example applyMultiplier(1, 1_100_000_000, 0) // { credit: 1, carry: 100_000_000 }
 */
export function applyMultiplier(base: number, combinedScaled: number, carry: number): CarryResult {
  if (!Number.isSafeInteger(base) || base < 0) throw new RangeError('base must be a non-negative integer');
  if (!Number.isSafeInteger(combinedScaled) || combinedScaled < 0) throw new RangeError('multiplier must be integer billionths');
  if (!Number.isSafeInteger(carry) || carry < 0 || carry >= MULTIPLIER_SCALE) throw new RangeError('carry out of range');
  const scale = BigInt(MULTIPLIER_SCALE);
  const total = BigInt(base) * BigInt(combinedScaled) + BigInt(carry);
  return { credit: Number(total / scale), carry: Number(total % scale) };
}
