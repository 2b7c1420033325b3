import { hashSecret } from '../server/auth/passwords.js';
import { earnKeys, awardAfter } from '../server/earning/inline.js';
import type { AccountState } from '../server/ledger/ports.js';
import { act, emptyTally, SIM_PIN, type ActionTally, type SimUser } from './actor.js';
import { readWeek, type WeekFigures } from './figures.js';
import { assignPersonas, PERSONAS, planDay, SHOPPING_CADENCE, type ItemClass, type PersonaId } from './personas.js';
import { createRng } from './prng.js';
import { evaluateTargets, type TargetResult } from './targets.js';
import { createSimWorld, type EconomyChoice, type SimWorld } from './world.js';

export interface SimOptions {
  economy: EconomyChoice;
  weeks: number;
  users: number;
  seed: number;
  /** First simulated day, 00:00 UTC; a Monday so weeks are the ISO weeks the weekly cap counts. */
  start?: Date;
  /** Called after each simulated week (the CLI prints progress). */
  onWeek?: (figures: WeekFigures, elapsedMs: number) => void;
}

export interface SimReport {
  preset: string;
  overridesFile: string | null;
  tierBasis: string;
  seed: number;
  users: number;
  weeks: number;
  startsAt: string;
  personas: Record<PersonaId, number>;
  figures: WeekFigures[];
  gifts: ActionTally['gifts'];
  purchases: ActionTally['purchases'];
  targets: TargetResult[];
  /** Wall-clock time of the whole run, setup included. */
  elapsedMs: number;
}

/** A Monday (ISO week 2027-W01). */
export const DEFAULT_START = new Date('2027-01-04T00:00:00.000Z');
const DAY_MS = 24 * 3600 * 1000;
/**
 * The population's day starts at 08:00 UTC; one action per user every 1.5 s: slower than any
 * preset's "too fast" rule (1 s), and within the 5 s the award gate trusts its cached standing.
 */
const DAY_OPENS_MS = 8 * 3600 * 1000;
const TICK_MS = 1_500;
const ROOMS_SPARE = 1;

/**
 * Runs the population through `weeks` of simulated days on the real services and returns the
 * report. Users act in lockstep ticks: at each tick the clock moves 61 s and every user with an
 * action left does their next one, all at once (so the ledger batches them as it would a busy
 * server). `inspect` sees the world after the last week, before it is closed (tests read the
 * ledger there).
 */
export async function simulate(opts: SimOptions, inspect?: (world: SimWorld, report: SimReport) => Promise<void>): Promise<SimReport> {
  const began = performance.now();
  const start = opts.start ?? DEFAULT_START;
  const rng = createRng(opts.seed);
  const world = await createSimWorld(opts.economy, start, rng.fork('ids'));
  try {
    const config = world.ctx.economy.current;
    const days = opts.weeks * 7;
    const personas = assignPersonas(opts.users);
    const joinsPerDayMax = Math.max(...PERSONAS.map((p) => planDay(p, 0, config, rng.fork('probe')).filter((a) => a.kind === 'join').length));
    const { users, rooms } = await populate(world, personas, joinsPerDayMax * days + ROOMS_SPARE);
    const tally = emptyTally();
    const figures: WeekFigures[] = [];
    let before: { accounts: Record<string, AccountState>; week: WeekFigures | null } = { accounts: {}, week: null };

    for (let day = 0; day < days; day++) {
      const dayStart = start.getTime() + day * DAY_MS;
      world.clock.set(dayStart + DAY_OPENS_MS);
      if (day === 0) await Promise.all(users.map((u) => register(world, u)));
      const dayRngs = users.map((_, i) => rng.fork(`user${i}:day${day}`));
      const plans = users.map((u, i) => planDay(u.persona, day, config, dayRngs[i]!));
      const ticks = Math.max(0, ...plans.map((p) => p.length));
      for (let k = 0; k < ticks; k++) {
        world.clock.set(dayStart + DAY_OPENS_MS + (k + 1) * TICK_MS);
        await Promise.all(
          users.map((u, i) => {
            const action = plans[i]![k];
            return action ? act(world, u, action, { rooms, everyone: users, rng: dayRngs[i]!, tally, label: `d${day}` }) : undefined;
          }),
        );
      }
      if (day % 7 === 6) {
        const read = await readWeek(world, figures.length + 1, users, before);
        figures.push(read.figures);
        opts.onWeek?.(read.figures, performance.now() - began);
        before = { accounts: read.accounts, week: read.figures };
      }
    }

    const report: SimReport = {
      preset: config.preset,
      overridesFile: opts.economy.overridesFile ?? null,
      tierBasis: config.tiers.basis,
      seed: opts.seed,
      users: opts.users,
      weeks: opts.weeks,
      startsAt: start.toISOString(),
      personas: Object.fromEntries(PERSONAS.map((p) => [p, personas.filter((q) => q === p).length])) as Record<PersonaId, number>,
      figures,
      gifts: tally.gifts,
      purchases: tally.purchases,
      targets: evaluateTargets({ weeks: figures, shopping: shoppingOutcome(tally, personas) }),
      elapsedMs: 0,
    };
    if (inspect) await inspect(world, report);
    report.elapsedMs = Math.round(performance.now() - began);
    return report;
  } finally {
    await world.close();
  }
}

/** Per item class: how many shoppers had a purchase scheduled and how many of them missed one. */
function shoppingOutcome(tally: ActionTally, personas: readonly PersonaId[]): Partial<Record<ItemClass, { shoppers: number; missed: number }>> {
  const shoppers = personas.filter((p) => p === 'shopper').length;
  const out: Partial<Record<ItemClass, { shoppers: number; missed: number }>> = {};
  for (const { itemClass } of SHOPPING_CADENCE) {
    if (!tally.purchases.shopper?.[itemClass]?.attempted) continue;
    out[itemClass] = { shoppers, missed: tally.missedBuyers[itemClass]?.size ?? 0 };
  }
  return out;
}

/**
 * The accounts and the rooms. Rooms are scenery made before the run by a host account outside
 * the population (no award: the host is not part of the economy being measured). Accounts are
 * made in the user store directly with one shared password hash (registration's scrypt, 500
 * times, would cost most of a run); gifters and shoppers get one shared PIN hash.
 */
async function populate(world: SimWorld, personas: readonly PersonaId[], roomCount: number): Promise<{ users: SimUser[]; rooms: string[] }> {
  const { ctx } = world;
  const [passwordHash, pinHash] = await Promise.all([hashSecret('simulated password'), hashSecret(SIM_PIN)]);
  const newUser = (username: string) =>
    ctx.stores.users.create({ id: ctx.newId(), username, passwordHash, publicKey: null, inviteCode: `sim-${username}`, invitedBy: null, registrationIp: null, createdAt: ctx.clock.now() });
  const host = (await newUser('sim_host'))!;
  const rooms: string[] = [];
  for (let i = 0; i < roomCount; i++) rooms.push((await ctx.roomService.create(host.id, { name: `Room ${i + 1}`, visibility: 'public' })).id);
  const users: SimUser[] = [];
  for (const [i, persona] of personas.entries()) {
    const record = (await newUser(`sim_${persona}_${i}`))!;
    if (persona === 'gifter' || persona === 'shopper') await ctx.stores.users.setPinHash(record.id, pinHash);
    users.push({ id: record.id, persona, nextRoom: (i * 7) % rooms.length, rooms: [], ownedPermanent: new Set(), sent: 0 });
  }
  return { users, rooms };
}

/** The registration award, as `POST /api/auth/register` pays it after creating the account. */
async function register(world: SimWorld, user: SimUser): Promise<void> {
  await awardAfter(world.ctx.awards, world.ctx.logger, { userId: user.id, activity: 'registration', idempotencyKey: earnKeys.registration(user.id), newEvent: true });
}
