import type { EconomyConfig } from '../server/economy/config/schema.js';
import type { Rng } from './prng.js';

/**
 * The simulated population. `average` and `power` do exactly the seed's day ("Daily Token Flow
 * (Estimated)"): the average user claims the daily login, sends 10 messages, shares 2 files and
 * joins 1 room every day; the power user 50 messages, 10 files, 3 rooms. The others are chosen:
 * a lurker, a gifter and a shopper (each an average user's day plus their habit), and a farmer
 * who pushes every cap.
 */
export const PERSONAS = ['average', 'power', 'lurker', 'gifter', 'shopper', 'farmer'] as const;
export type PersonaId = (typeof PERSONAS)[number];

/** Share of the population per persona (chosen); they add up to 1. */
export const PERSONA_MIX: Readonly<Record<PersonaId, number>> = {
  average: 0.4,
  power: 0.1,
  lurker: 0.2,
  gifter: 0.1,
  shopper: 0.15,
  farmer: 0.05,
};

/** What the shopper buys, and every how many weeks: the seed's "Spending Opportunities". */
export const SHOPPING_CADENCE = [
  { itemClass: 'cosmetic', everyWeeks: 2 },
  { itemClass: 'functional', everyWeeks: 4 },
  { itemClass: 'premium', everyWeeks: 8 },
] as const;
export type ItemClass = (typeof SHOPPING_CADENCE)[number]['itemClass'];

/** One thing a user does; a day is a list of them, done in order. */
export type Action =
  | { kind: 'login' }
  | { kind: 'join' }
  | { kind: 'message' }
  | { kind: 'file' }
  | { kind: 'gift'; amount: number }
  | { kind: 'buy'; itemClass: ItemClass }
  | { kind: 'claimAchievements' };

/** Gifter (chosen): gifts per day and the amount range of each, inside the bronze allowance (50/day). */
const GIFTS_PER_DAY = 2;
const GIFT_AMOUNT = { min: 5, max: 20 } as const;
/** Lurker (chosen): logs in on this share of days and sends at most this many messages then. */
const LURKER_LOGIN_CHANCE = 0.4;
const LURKER_MESSAGES_MAX = 2;
/** What the farmer does of an activity that has no event cap: a lot. */
const FARMER_UNCAPPED_EVENTS = 200;

/** How many of `activity` a farmer attempts: past the cap, so every cap is hit. */
function farmerCount(config: EconomyConfig, activity: 'send_message' | 'share_file' | 'join_room'): number {
  const cap = config.caps.activityDailyEvents[activity];
  return cap === null ? FARMER_UNCAPPED_EVENTS : cap + 5;
}

/** Spreads `files` evenly among `messages` so a day alternates like a conversation. */
function chat(messages: number, files: number): Action[] {
  const out: Action[] = [];
  const total = messages + files;
  let placedFiles = 0;
  for (let i = 0; i < total; i++) {
    const wantFiles = Math.round(((i + 1) * files) / total);
    if (wantFiles > placedFiles) {
      out.push({ kind: 'file' });
      placedFiles++;
    } else out.push({ kind: 'message' });
  }
  return out;
}

const times = (n: number, kind: 'join'): Action[] => Array.from({ length: n }, () => ({ kind }));

/**
 * The actions of one persona on day `day` (0-based) of the run. Pure: randomness comes from
 * `rng` (forked per user and day by the caller). Shopping happens on the last day of a week
 * whose number is a multiple of the item's cadence.
 */
export function planDay(persona: PersonaId, day: number, config: EconomyConfig, rng: Rng): Action[] {
  const averageDay: Action[] = [{ kind: 'login' }, ...times(1, 'join'), ...chat(10, 2)];
  let actions: Action[];
  switch (persona) {
    case 'average':
      actions = averageDay;
      break;
    case 'power':
      actions = [{ kind: 'login' }, ...times(3, 'join'), ...chat(50, 10)];
      break;
    case 'lurker': {
      const active = day === 0 || rng.chance(LURKER_LOGIN_CHANCE);
      actions = active ? [{ kind: 'login' }, ...(day === 0 ? times(1, 'join') : []), ...chat(rng.int(0, LURKER_MESSAGES_MAX), 0)] : [];
      break;
    }
    case 'gifter':
      actions = [...averageDay, ...Array.from({ length: GIFTS_PER_DAY }, () => ({ kind: 'gift' as const, amount: rng.int(GIFT_AMOUNT.min, GIFT_AMOUNT.max) }))];
      break;
    case 'shopper': {
      const week = Math.floor(day / 7) + 1;
      const lastDayOfWeek = day % 7 === 6;
      const buys = lastDayOfWeek ? SHOPPING_CADENCE.filter((c) => week % c.everyWeeks === 0).map((c) => ({ kind: 'buy' as const, itemClass: c.itemClass })) : [];
      actions = [...averageDay, ...buys];
      break;
    }
    case 'farmer':
      actions = [{ kind: 'login' }, ...times(farmerCount(config, 'join_room'), 'join'), ...chat(farmerCount(config, 'send_message'), farmerCount(config, 'share_file'))];
      break;
  }
  return actions.length > 0 ? [...actions, { kind: 'claimAchievements' }] : actions;
}

/**
 * Personas of `users` accounts in PERSONA_MIX proportions (largest remainder), in a fixed
 * interleaved order; with 6 or more users every persona has at least one member.
 */
export function assignPersonas(users: number): PersonaId[] {
  const exact = PERSONAS.map((p) => ({ p, n: PERSONA_MIX[p] * users }));
  const counts = new Map(exact.map(({ p, n }) => [p, Math.floor(n)]));
  if (users >= PERSONAS.length) for (const p of PERSONAS) counts.set(p, Math.max(1, counts.get(p)!));
  let left = users - [...counts.values()].reduce((a, b) => a + b, 0);
  const byRemainder = [...exact].sort((a, b) => (b.n % 1) - (a.n % 1));
  for (let i = 0; left > 0; i = (i + 1) % byRemainder.length, left--) counts.set(byRemainder[i]!.p, counts.get(byRemainder[i]!.p)! + 1);
  while (left < 0) {
    const biggest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    counts.set(biggest, counts.get(biggest)! - 1);
    left++;
  }
  const out: PersonaId[] = [];
  for (let round = 0; out.length < users; round++) for (const p of PERSONAS) if (round < counts.get(p)!) out.push(p);
  return out;
}

/** Which catalogue items a shopper's class buys: the recommended catalogue names the classes; the current one's categories map onto them (chosen). */
export function itemClassOf(category: string): ItemClass | null {
  if (category === 'cosmetic' || category === 'appearance') return 'cosmetic';
  if (category === 'functional' || category === 'storage' || category === 'room') return 'functional';
  if (category === 'premium') return 'premium';
  return null;
}
