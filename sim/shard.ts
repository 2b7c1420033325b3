import { hashSecret } from '../server/auth/passwords.js';
import { earnKeys, awardAfter } from '../server/earning/inline.js';
import type { AuditReport } from '../server/ledger/ports.js';
import { act, emptyTally, SIM_PIN, type ActionTally, type SimUser } from './actor.js';
import { readShardWeek, type ShardWeek } from './figures.js';
import { assignPersonas, PERSONAS, planDay, type PersonaId } from './personas.js';
import { createRng } from './prng.js';
import { createSimWorld, type EconomyChoice, type SimWorld } from './world.js';

/**
 * One shard of a simulation: which part of the population it runs, on its own world (its own
 * temporary SQLite ledger and ManualClock). Plain data, so it can be a worker thread's workerData.
 */
export interface ShardSpec {
  economy: EconomyChoice;
  weeks: number;
  /** The whole population's size; this shard runs its share of it (`shardMembers`). */
  users: number;
  seed: number;
  /** First simulated day, ISO text (a Date does not survive every transport the same way). */
  start: string;
  index: number;
  count: number;
  /** Run the ledger audit after the last week and return it (tests check the report against it). */
  audit: boolean;
}

/** The shard's own ledger totals after its last week: the audit, and the population's summed totalEarned. */
export interface ShardAudit extends Pick<AuditReport, 'ok' | 'violations' | 'minted' | 'burned' | 'userBalanceSum'> {
  earnedSum: number;
}

export interface ShardResult {
  index: number;
  /** The config the shard's world ran: its preset name and tier basis. */
  preset: string;
  tierBasis: string;
  users: number;
  weeks: ShardWeek[];
  tally: ActionTally;
  audit: ShardAudit | null;
  /** Wall-clock time of the shard's run, its setup included. */
  elapsedMs: number;
}

const DAY_MS = 24 * 3600 * 1000;
/**
 * The population's day starts at 08:00 UTC; one action per user every 1.5 s: slower than any
 * preset's "too fast" rule (1 s), and within the 5 s the award gate trusts its cached standing.
 */
const DAY_OPENS_MS = 8 * 3600 * 1000;
const TICK_MS = 1_500;
const ROOMS_SPARE = 1;

/**
 * The population indexes a shard runs: the population is dealt round the shards persona by
 * persona, so every shard has the persona mix of the whole and the shards' sizes differ by one
 * at most.
 */
export function shardMembers(personas: readonly PersonaId[], index: number, count: number): number[] {
  const out: number[] = [];
  let dealt = 0;
  for (const persona of PERSONAS) {
    personas.forEach((p, i) => {
      if (p !== persona) return;
      if (dealt % count === index) out.push(i);
      dealt++;
    });
  }
  return out.sort((a, b) => a - b);
}

/**
 * Runs one shard's users through `weeks` of simulated days on the real services. Users act in
 * lockstep ticks: at each tick the clock moves 1.5 s and every user with an action left does
 * their next one, all at once (so the ledger batches them as it would a busy server). A user's
 * plan comes from a random stream named by their population index, so it is the same whatever
 * the shard count; gift recipients are drawn from the shard. `onWeek` gets each week's reading.
 */
export async function runShard(spec: ShardSpec, onWeek?: (week: ShardWeek) => void): Promise<ShardResult> {
  const began = performance.now();
  const start = new Date(spec.start);
  const rng = createRng(spec.seed);
  const world = await createSimWorld(spec.economy, start, rng.fork(`ids:${spec.index}/${spec.count}`));
  try {
    const config = world.ctx.economy.current;
    const days = spec.weeks * 7;
    const everyone = assignPersonas(spec.users);
    const members = shardMembers(everyone, spec.index, spec.count);
    const joinsPerDayMax = Math.max(...PERSONAS.map((p) => planDay(p, 0, config, rng.fork('probe')).filter((a) => a.kind === 'join').length));
    const { users, rooms } = await populate(world, members.map((i) => ({ index: i, persona: everyone[i]! })), joinsPerDayMax * days + ROOMS_SPARE);
    const tally = emptyTally();
    const weeks: ShardWeek[] = [];
    const earnedBefore = new Map<string, number>();

    for (let day = 0; day < days; day++) {
      const dayStart = start.getTime() + day * DAY_MS;
      world.clock.set(dayStart + DAY_OPENS_MS);
      if (day === 0) await Promise.all(users.map((u) => register(world, u)));
      const dayRngs = users.map((u) => rng.fork(`user${u.index}:day${day}`));
      const plans = users.map((u, i) => planDay(u.persona, day, config, dayRngs[i]!));
      const ticks = Math.max(0, ...plans.map((p) => p.length));
      for (let k = 0; k < ticks; k++) {
        world.clock.set(dayStart + DAY_OPENS_MS + (k + 1) * TICK_MS);
        await settleTick(
          world,
          Promise.all(
            users.map((u, i) => {
              const action = plans[i]![k];
              return action ? act(world, u, action, { rooms, everyone: users, rng: dayRngs[i]!, tally, label: `d${day}` }) : undefined;
            }),
          ),
        );
      }
      if (day % 7 === 6) {
        const week = await readShardWeek(world, weeks.length + 1, users, earnedBefore);
        weeks.push(week);
        onWeek?.(week);
      }
    }
    const audit = spec.audit ? await auditShard(world, users) : null;
    return { index: spec.index, preset: config.preset, tierBasis: config.tiers.basis, users: users.length, weeks, tally, audit, elapsedMs: Math.round(performance.now() - began) };
  } finally {
    await world.close();
  }
}

/**
 * Waits for a tick's actions, closing the ledger's batch as soon as every action that can run has
 * queued its entry (each turn of the event loop), instead of when the batch window's 1 ms timer
 * fires. With the clock stopped nothing else can join the batch, so waiting out the window is
 * idle time only (about 12% of a run, every tick waiting for it once or twice); the entries, their
 * order and every figure are unchanged. Tick by tick, so no timer's real-time firing decides
 * which entries share a commit.
 */
async function settleTick(world: SimWorld, tick: Promise<unknown>): Promise<void> {
  let settled = false;
  const done = tick.finally(() => {
    settled = true;
  });
  while (!settled) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!settled) void world.ctx.ledger.flush();
  }
  await done;
}

async function auditShard(world: SimWorld, users: readonly SimUser[]): Promise<ShardAudit> {
  const { ledger } = world.ctx;
  await ledger.flush();
  const { ok, violations, minted, burned, userBalanceSum } = await ledger.audit();
  const accounts = await ledger.accounts(users.map((u) => u.id));
  return { ok, violations, minted, burned, userBalanceSum, earnedSum: Object.values(accounts).reduce((n, a) => n + a.totalEarned, 0) };
}

/**
 * The accounts and the rooms. Rooms are scenery made before the run by a host account outside
 * the population (no award: the host is not part of the economy being measured). Accounts are
 * made in the user store directly with one shared password hash (registration's scrypt, 500
 * times, would cost most of a run); gifters and shoppers get one shared PIN hash.
 */
async function populate(world: SimWorld, members: ReadonlyArray<{ index: number; persona: PersonaId }>, roomCount: number): Promise<{ users: SimUser[]; rooms: string[] }> {
  const { ctx } = world;
  const [passwordHash, pinHash] = await Promise.all([hashSecret('simulated password'), hashSecret(SIM_PIN)]);
  const newUser = (username: string) =>
    ctx.stores.users.create({ id: ctx.newId(), username, passwordHash, publicKey: null, inviteCode: `sim-${username}`, invitedBy: null, registrationIp: null, createdAt: ctx.clock.now() });
  const host = (await newUser('sim_host'))!;
  const rooms: string[] = [];
  for (let i = 0; i < roomCount; i++) rooms.push((await ctx.roomService.create(host.id, { name: `Room ${i + 1}`, visibility: 'public' })).id);
  const users: SimUser[] = [];
  for (const { index, persona } of members) {
    const record = (await newUser(`sim_${persona}_${index}`))!;
    if (persona === 'gifter' || persona === 'shopper') await ctx.stores.users.setPinHash(record.id, pinHash);
    users.push({ id: record.id, index, persona, nextRoom: (index * 7) % rooms.length, rooms: [], ownedPermanent: new Set(), sent: 0 });
  }
  return { users, rooms };
}

/** The registration award, as `POST /api/auth/register` pays it after creating the account. */
async function register(world: SimWorld, user: SimUser): Promise<void> {
  await awardAfter(world.ctx.awards, world.ctx.logger, { userId: user.id, activity: 'registration', idempotencyKey: earnKeys.registration(user.id), newEvent: true });
}
