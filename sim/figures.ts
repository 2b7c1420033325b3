import { TIER_IDS, type TierId } from '../server/economy/config/schema.js';
import { tierOfAccount } from '../server/earning/tiers.js';
import { ISSUANCE, SINK } from '../server/ledger/ports.js';
import { PERSONAS, type PersonaId } from './personas.js';
import type { SimUser } from './actor.js';
import type { SimWorld } from './world.js';

/** Spread of one persona's tokens earned in one week (ledger `totalEarned` moved that week). */
export interface EarningSpread {
  users: number;
  median: number;
  mean: number;
  min: number;
  max: number;
}

/** The economy at the end of one simulated week, over the whole population (every shard merged). */
export interface WeekFigures {
  week: number;
  /** Tokens minted (issued) and burned (sunk, net of refunds) since the start, and in this week. */
  minted: number;
  burned: number;
  mintedThisWeek: number;
  burnedThisWeek: number;
  /** minted - burned: the tokens that exist. */
  supply: number;
  /** Sum of every user balance (the ledgers' own count; equals supply when nothing is lost). */
  circulating: number;
  /** The seed's inflation_rate: tokens minted this week / tokens that existed at its start x 100; null in week 1 (nothing existed). */
  inflationRatePct: number | null;
  /** Median balance of the population's accounts (the middle two averaged for an even count, as the ledger's own statistic). */
  medianBalance: number;
  tiers: Record<TierId, number>;
  tiersByPersona: Record<PersonaId, Record<TierId, number>>;
  earnings: Record<PersonaId, EarningSpread>;
}

/**
 * What one shard's ledger says at the end of a week: its own totals and one row per user of the
 * shard, in the shard's user order. Plain data (it crosses from a worker thread); the figures of
 * the population are merged from these (`mergeWeek`), never averaged from per-shard figures.
 */
export interface ShardWeek {
  week: number;
  /** The shard ledger's issuance and sink flows since the start, and the sum of its user balances. */
  minted: number;
  burned: number;
  circulating: number;
  personas: PersonaId[];
  /** Per user: tokens earned this week, tier and balance at the week's end. */
  earned: number[];
  tiers: TierId[];
  balances: number[];
}

const zeroTiers = (): Record<TierId, number> => Object.fromEntries(TIER_IDS.map((t) => [t, 0])) as Record<TierId, number>;

const ascending = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

/** Median of ascending values as the ledger stores compute it: the middle one, or the mean of the middle two. */
function middleOf(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of `values` (0 for none). */
export const median = (values: readonly number[]): number => middleOf(ascending(values));

function spread(values: readonly number[]): EarningSpread {
  if (values.length === 0) return { users: 0, median: 0, mean: 0, min: 0, max: 0 };
  const sorted = ascending(values);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { users: values.length, median: middleOf(sorted), mean: Math.round(mean * 10) / 10, min: sorted[0]!, max: sorted.at(-1)! };
}

/**
 * Reads one shard's week from its ledger: the system accounts' flows and the balance sum from the
 * ledger's own queries, each user's account for earnings and tier (the tier through the server's
 * `tierOfAccount`, so whichever tier basis the config names is the one measured).
 * `earnedBefore` holds each user's `totalEarned` at the previous week's end and is updated.
 */
export async function readShardWeek(world: SimWorld, week: number, users: readonly SimUser[], earnedBefore: Map<string, number>): Promise<ShardWeek> {
  const { ledger, economy } = world.ctx;
  await ledger.flush();
  const config = economy.current;
  const flows = await ledger.queries.netFlows([ISSUANCE, SINK]);
  const stats = await ledger.queries.userBalanceStats();
  const accounts = await ledger.accounts(users.map((u) => u.id));
  const out: ShardWeek = { week, minted: -(flows[ISSUANCE] ?? 0), burned: flows[SINK] ?? 0, circulating: stats.balanceSum, personas: [], earned: [], tiers: [], balances: [] };
  for (const u of users) {
    const now = accounts[u.id]!;
    out.personas.push(u.persona);
    out.earned.push(now.totalEarned - (earnedBefore.get(u.id) ?? 0));
    out.tiers.push(tierOfAccount(now, config));
    out.balances.push(now.balance);
    earnedBefore.set(u.id, now.totalEarned);
  }
  return out;
}

/**
 * The population's figures for one week from every shard's reading of it: totals summed, medians,
 * spreads and tier counts computed over the merged users. `previous` is the merged week before.
 */
export function mergeWeek(shards: readonly ShardWeek[], previous: WeekFigures | null): WeekFigures {
  const week = shards[0]?.week ?? (previous ? previous.week + 1 : 1);
  if (shards.some((s) => s.week !== week)) throw new Error(`merging different weeks: ${shards.map((s) => s.week).join(', ')}`);
  const sum = (pick: (s: ShardWeek) => number) => shards.reduce((n, s) => n + pick(s), 0);
  const minted = sum((s) => s.minted);
  const burned = sum((s) => s.burned);
  const tiers = zeroTiers();
  const tiersByPersona = Object.fromEntries(PERSONAS.map((p) => [p, zeroTiers()])) as Record<PersonaId, Record<TierId, number>>;
  const earned = Object.fromEntries(PERSONAS.map((p) => [p, [] as number[]])) as Record<PersonaId, number[]>;
  const balances: number[] = [];
  for (const s of shards) {
    s.personas.forEach((persona, i) => {
      const tier = s.tiers[i]!;
      tiers[tier]++;
      tiersByPersona[persona][tier]++;
      earned[persona].push(s.earned[i]!);
      balances.push(s.balances[i]!);
    });
  }
  const prevSupply = previous?.supply ?? 0;
  const mintedThisWeek = minted - (previous?.minted ?? 0);
  return {
    week,
    minted,
    burned,
    mintedThisWeek,
    burnedThisWeek: burned - (previous?.burned ?? 0),
    supply: minted - burned,
    circulating: sum((s) => s.circulating),
    inflationRatePct: prevSupply > 0 ? Math.round((mintedThisWeek / prevSupply) * 1000) / 10 : null,
    medianBalance: median(balances),
    tiers,
    tiersByPersona,
    earnings: Object.fromEntries(PERSONAS.map((p) => [p, spread(earned[p])])) as Record<PersonaId, EarningSpread>,
  };
}
