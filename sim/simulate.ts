import { availableParallelism } from 'node:os';
import type { ActionTally } from './actor.js';
import { mergeWeek, type ShardWeek, type WeekFigures } from './figures.js';
import { assignPersonas, PERSONAS, SHOPPING_CADENCE, type ItemClass, type PersonaId } from './personas.js';
import type { ShardAudit, ShardResult, ShardSpec } from './shard.js';
import { runShards } from './shards.js';
import { evaluateTargets, type TargetResult } from './targets.js';
import type { EconomyChoice } from './world.js';

export interface SimOptions {
  economy: EconomyChoice;
  weeks: number;
  users: number;
  seed: number;
  /**
   * Worlds the population is split over, each in its own worker thread (default: one per core,
   * at most one per user). 0 runs a single world in this thread (no worker; for profiling).
   */
  shards?: number;
  /** First simulated day, 00:00 UTC; a Monday so weeks are the ISO weeks the weekly cap counts. */
  start?: Date;
  /** Each shard runs the ledger audit after its last week; the report carries it (tests). */
  audit?: boolean;
  /** Called after each simulated week, once every shard has finished it (the CLI prints progress). */
  onWeek?: (figures: WeekFigures, elapsedMs: number) => void;
}

/** One shard's share of a run: its users, its ledger's final totals, its time, and its audit when asked for. */
export interface ShardSummary {
  users: number;
  minted: number;
  burned: number;
  /** minted - burned of this shard's ledger. */
  supply: number;
  elapsedMs: number;
  audit: ShardAudit | null;
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
  /** Per shard (gift partners are drawn within a shard); their totals add up to the figures'. */
  shards: ShardSummary[];
  /** Wall-clock time of the whole run, setup included, and the CPU time of the process (every thread). */
  elapsedMs: number;
  cpuMs: number;
}

/** A Monday (ISO week 2027-W01). */
export const DEFAULT_START = new Date('2027-01-04T00:00:00.000Z');

/** The default shard count: one world per core, never more worlds than users. */
export const defaultShards = (users: number): number => Math.max(1, Math.min(availableParallelism(), users));

/**
 * Runs the population through `weeks` of simulated days on the real services and returns the
 * report. The population is split over `shards` worlds (sim/shard.ts), each with its own
 * temporary SQLite ledger and clock, run at once in worker threads; the report merges them
 * exactly: totals summed, medians and spreads over the merged users.
 */
export async function simulate(opts: SimOptions): Promise<SimReport> {
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  const start = opts.start ?? DEFAULT_START;
  const count = opts.shards ?? defaultShards(opts.users);
  if (!Number.isInteger(count) || count < 0 || count > opts.users) throw new Error(`shards must be a whole number from 0 to the user count (got ${count})`);
  const specs: ShardSpec[] = Array.from({ length: Math.max(1, count) }, (_, index) => ({
    economy: opts.economy,
    weeks: opts.weeks,
    users: opts.users,
    seed: opts.seed,
    start: start.toISOString(),
    index,
    count: Math.max(1, count),
    audit: opts.audit ?? false,
  }));
  let progress: WeekFigures | null = null;
  const heard = (readings: ShardWeek[]): void => {
    progress = mergeWeek(readings, progress);
    opts.onWeek?.(progress, performance.now() - began);
  };
  // The world's modules load only where a world runs: in the workers, or here for `shards: 0`.
  const results = count === 0 ? [await (await import('./shard.js')).runShard(specs[0]!, (w) => heard([w]))] : await runShards(specs, (_, readings) => heard(readings));

  const figures: WeekFigures[] = [];
  for (let w = 0; w < opts.weeks; w++) figures.push(mergeWeek(results.map((r) => r.weeks[w]!), figures.at(-1) ?? null));
  const tally = mergeTallies(results.map((r) => r.tally));
  const personas = assignPersonas(opts.users);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    preset: results[0]!.preset,
    overridesFile: opts.economy.overridesFile ?? null,
    tierBasis: results[0]!.tierBasis,
    seed: opts.seed,
    users: opts.users,
    weeks: opts.weeks,
    startsAt: start.toISOString(),
    personas: Object.fromEntries(PERSONAS.map((p) => [p, personas.filter((q) => q === p).length])) as Record<PersonaId, number>,
    figures,
    gifts: tally.gifts,
    purchases: tally.purchases,
    targets: evaluateTargets({ weeks: figures, shopping: shoppingOutcome(tally, personas) }),
    shards: results.map(shardSummary),
    elapsedMs: Math.round(performance.now() - began),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
}

function shardSummary(r: ShardResult): ShardSummary {
  const last = r.weeks.at(-1);
  const minted = last?.minted ?? 0;
  const burned = last?.burned ?? 0;
  return { users: r.users, minted, burned, supply: minted - burned, elapsedMs: r.elapsedMs, audit: r.audit };
}

const addCounts = (into: Record<string, number>, from: Record<string, number>): void => {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
};

/** The shards' gift and purchase tallies as one: counts added, missed buyers (population indexes) united. */
export function mergeTallies(tallies: readonly ActionTally[]): ActionTally {
  const out: ActionTally = { gifts: { sent: 0, tokens: 0, refused: {} }, purchases: {}, missedBuyers: {} };
  for (const t of tallies) {
    out.gifts.sent += t.gifts.sent;
    out.gifts.tokens += t.gifts.tokens;
    addCounts(out.gifts.refused, t.gifts.refused);
    for (const [persona, byClass] of Object.entries(t.purchases) as Array<[PersonaId, NonNullable<ActionTally['purchases'][PersonaId]>]>) {
      for (const [itemClass, s] of Object.entries(byClass) as Array<[ItemClass, { attempted: number; bought: number; refused: Record<string, number> }]>) {
        const into = ((out.purchases[persona] ??= {})[itemClass] ??= { attempted: 0, bought: 0, refused: {} });
        into.attempted += s.attempted;
        into.bought += s.bought;
        addCounts(into.refused, s.refused);
      }
    }
    for (const [itemClass, users] of Object.entries(t.missedBuyers) as Array<[ItemClass, Set<number>]>) {
      const into = (out.missedBuyers[itemClass] ??= new Set());
      for (const u of users) into.add(u);
    }
  }
  return out;
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
