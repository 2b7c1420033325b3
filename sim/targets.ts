import { TIER_IDS, type TierId } from '../server/economy/config/schema.js';
import type { WeekFigures } from './figures.js';
import { SHOPPING_CADENCE, type ItemClass } from './personas.js';

/** The seed's "Economic Balance Targets" and "Balanced Economy Goals", as the simulation measures them. */
export interface TargetResult {
  id: string;
  target: string;
  measured: string;
  status: 'met' | 'missed' | 'not measured';
}

/** Shoppers who must make every scheduled purchase of a class for "can afford" to count as met (chosen). */
export const SHOPPERS_SHARE_MIN = 0.9;

export interface TargetInputs {
  weeks: readonly WeekFigures[];
  /** Per item class: shoppers scheduled to buy it at least once, and how many of them missed a purchase. */
  shopping: Partial<Record<ItemClass, { shoppers: number; missed: number }>>;
}

const inRange = (v: number, lo: number, hi: number): boolean => v >= lo && v <= hi;
const status = (ok: boolean): TargetResult['status'] => (ok ? 'met' : 'missed');

function weeklyEarnings(id: string, persona: 'average' | 'power', lo: number, hi: number, weeks: readonly WeekFigures[]): TargetResult {
  const target = `${persona === 'average' ? 'Average' : 'Power'} user earns ${lo}-${hi} tokens every week`;
  const medians = weeks.filter((w) => w.earnings[persona].users > 0).map((w) => w.earnings[persona].median);
  if (medians.length === 0) return { id, target, measured: `no ${persona} users`, status: 'not measured' };
  const lowest = Math.min(...medians);
  const highest = Math.max(...medians);
  return { id, target, measured: `weekly median ${lowest}-${highest} (weeks ${medians.map((m) => Math.round(m)).join(', ')})`, status: status(medians.every((m) => inRange(m, lo, hi))) };
}

function tierBy(id: string, tier: TierId, week: number, weeks: readonly WeekFigures[]): TargetResult {
  const target = `Average user reaches ${tier} by the end of week ${week}`;
  const w = weeks[week - 1];
  if (!w || w.earnings.average.users === 0) return { id, target, measured: `the run has fewer than ${week} weeks or no average users`, status: 'not measured' };
  const counts = w.tiersByPersona.average;
  const atLeast = TIER_IDS.slice(TIER_IDS.indexOf(tier)).reduce((n, t) => n + counts[t], 0);
  const total = TIER_IDS.reduce((n, t) => n + counts[t], 0);
  const share = atLeast / total;
  const dist = TIER_IDS.map((t) => `${t} ${counts[t]}`).join(', ');
  return { id, target, measured: `${Math.round(share * 100)}% of average users at ${tier} or above (${dist})`, status: status(share >= 0.5) };
}

function affords(itemClass: ItemClass, everyWeeks: number, inputs: TargetInputs): TargetResult {
  const id = `afford_${itemClass}`;
  const target = `Can afford a ${itemClass} item every ${everyWeeks === 4 ? 'month' : everyWeeks === 8 ? '2 months' : `${everyWeeks} weeks`}`;
  const s = inputs.shopping[itemClass];
  if (!s || s.shoppers === 0) return { id, target, measured: `no purchase scheduled (run shorter than ${everyWeeks} weeks, or no shoppers)`, status: 'not measured' };
  const share = (s.shoppers - s.missed) / s.shoppers;
  return { id, target, measured: `${Math.round(share * 100)}% of shoppers made every scheduled purchase (${s.missed} of ${s.shoppers} missed one)`, status: status(share >= SHOPPERS_SHARE_MIN) };
}

function noSpiral(weeks: readonly WeekFigures[]): TargetResult {
  const id = 'no_inflation_spiral';
  const target = 'No inflation spiral: the weekly inflation rate never rises (from week 2 on)';
  const rates = weeks.map((w) => w.inflationRatePct).filter((r): r is number => r !== null);
  if (rates.length < 2) return { id, target, measured: 'needs at least 3 weeks', status: 'not measured' };
  const rises = rates.filter((r, i) => i > 0 && r > rates[i - 1]!).length;
  return { id, target, measured: `weekly rate ${rates.map((r) => `${r}%`).join(', ')}${rises ? ` (rose ${rises} time(s))` : ''}`, status: status(rises === 0) };
}

/** Every seed target the simulation can measure, in the seed's order. Pure. */
export function evaluateTargets(inputs: TargetInputs): TargetResult[] {
  return [
    weeklyEarnings('average_weekly', 'average', 200, 300, inputs.weeks),
    weeklyEarnings('power_weekly', 'power', 500, 1000, inputs.weeks),
    tierBy('gold_by_week_2', 'gold', 2, inputs.weeks),
    tierBy('platinum_by_week_4', 'platinum', 4, inputs.weeks),
    ...SHOPPING_CADENCE.map((c) => affords(c.itemClass, c.everyWeeks, inputs)),
    noSpiral(inputs.weeks),
  ];
}
