import { TIER_IDS, type TierId } from '../server/economy/config/schema.js';
import { tierOfAccount } from '../server/earning/tiers.js';
import { ISSUANCE, SINK, type AccountState } from '../server/ledger/ports.js';
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

/** The economy at the end of one simulated week, read from the ledger. */
export interface WeekFigures {
  week: number;
  /** Tokens minted (issued) and burned (sunk, net of refunds) since the start, and in this week. */
  minted: number;
  burned: number;
  mintedThisWeek: number;
  burnedThisWeek: number;
  /** minted - burned: the tokens that exist. */
  supply: number;
  /** Sum of every user balance (the ledger's own count; equals supply when nothing is lost). */
  circulating: number;
  /** The seed's inflation_rate: tokens minted this week / tokens that existed at its start x 100; null in week 1 (nothing existed). */
  inflationRatePct: number | null;
  medianBalance: number;
  tiers: Record<TierId, number>;
  tiersByPersona: Record<PersonaId, Record<TierId, number>>;
  earnings: Record<PersonaId, EarningSpread>;
}

const zeroTiers = (): Record<TierId, number> => Object.fromEntries(TIER_IDS.map((t) => [t, 0])) as Record<TierId, number>;

function spread(values: number[]): EarningSpread {
  if (values.length === 0) return { users: 0, median: 0, mean: 0, min: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { users: values.length, median, mean: Math.round(mean * 10) / 10, min: sorted[0]!, max: sorted.at(-1)! };
}

/**
 * Reads the week's figures: system account flows and the balance median from the ledger's own
 * queries, each user's account for earnings and tier (the tier through the server's
 * `tierOfAccount`, so whichever tier basis the config names is the one measured).
 */
export async function readWeek(world: SimWorld, week: number, users: readonly SimUser[], before: { accounts: Record<string, AccountState>; week: WeekFigures | null }): Promise<{ figures: WeekFigures; accounts: Record<string, AccountState> }> {
  const { ledger, economy } = world.ctx;
  await ledger.flush();
  const config = economy.current;
  const flows = await ledger.queries.netFlows([ISSUANCE, SINK]);
  const minted = -(flows[ISSUANCE] ?? 0);
  const burned = flows[SINK] ?? 0;
  const stats = await ledger.queries.userBalanceStats();
  const accounts = await ledger.accounts(users.map((u) => u.id));
  const tiers = zeroTiers();
  const tiersByPersona = Object.fromEntries(PERSONAS.map((p) => [p, zeroTiers()])) as Record<PersonaId, Record<TierId, number>>;
  const earned = Object.fromEntries(PERSONAS.map((p) => [p, [] as number[]])) as Record<PersonaId, number[]>;
  for (const u of users) {
    const now = accounts[u.id]!;
    const tier = tierOfAccount(now, config);
    tiers[tier]++;
    tiersByPersona[u.persona][tier]++;
    earned[u.persona].push(now.totalEarned - (before.accounts[u.id]?.totalEarned ?? 0));
  }
  const prevSupply = before.week?.supply ?? 0;
  const mintedThisWeek = minted - (before.week?.minted ?? 0);
  const figures: WeekFigures = {
    week,
    minted,
    burned,
    mintedThisWeek,
    burnedThisWeek: burned - (before.week?.burned ?? 0),
    supply: minted - burned,
    circulating: stats.balanceSum,
    inflationRatePct: prevSupply > 0 ? Math.round((mintedThisWeek / prevSupply) * 1000) / 10 : null,
    medianBalance: stats.medianBalance,
    tiers,
    tiersByPersona,
    earnings: Object.fromEntries(PERSONAS.map((p) => [p, spread(earned[p])])) as Record<PersonaId, EarningSpread>,
  };
  return { figures, accounts };
}
