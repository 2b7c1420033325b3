import type { EconomyConfig, TierId } from '../economy/config/schema.js';
import { utcDayStartMs } from '../economy/rules/periods.js';
import { ISSUANCE, SINK, type EntryKind, type LedgerQueries, type RankField } from '../ledger/ports.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Entry kinds whose user credits were minted for users: earnings, room rewards and admin awards
 * (totalEarned counts earn and award only since issue 9; a room reward is minted all the same).
 */
export const EARNING_KINDS: EntryKind[] = ['earn', 'grant', 'award'];
/** Entry kinds whose user debits are purchases, grouped by their activity (`shop:<item>`, ...). */
export const SPENDING_KINDS: EntryKind[] = ['spend'];
/** The rolling window `tokensPerUserPerDay` averages over. */
export const PER_USER_WINDOW_DAYS = 7;
/** The shortest span `tokensPerUserPerDay` divides by, so a burst in a server's first minutes is not extrapolated. */
export const PER_USER_MIN_DAYS = 1;

/**
 * The days the per-user window really observed (issue 9, row 13): the full window once the journal
 * is older than it, else the time since the first entry (at least PER_USER_MIN_DAYS), two decimals.
 */
export function observedWindowDays(firstEntryAt: Date | null, at: Date): number {
  if (!firstEntryAt) return PER_USER_MIN_DAYS;
  const days = (at.getTime() - firstEntryAt.getTime()) / DAY_MS;
  return round2(Math.min(PER_USER_WINDOW_DAYS, Math.max(PER_USER_MIN_DAYS, days)));
}

/** Supply growth over one rolling window ending now. */
export interface InflationWindow {
  since: string;
  /** Tokens in user hands when the window opened: circulation now minus `netNew`. */
  supplyAtStart: number;
  /** Net tokens out of issuance during the window. */
  issued: number;
  /** Net tokens into the sink during the window. */
  burned: number;
  /** issued - burned: how much circulation grew (negative: it shrank). */
  netNew: number;
  /** netNew / supplyAtStart x 100, two decimals; null while nothing circulated at the start. */
  ratePct: number | null;
}

export interface EconomyAnalytics {
  at: string;
  supply: {
    /** Net tokens ever minted (out of system:issuance), as the ledger audit's `minted`. */
    totalIssued: number;
    /** Net tokens ever burned (into system:sink, refunds give back), as the audit's `burned`. */
    totalBurned: number;
    /** Sum of user balances; equals totalIssued - totalBurned while the audit passes. */
    inCirculation: number;
    inflation: { last24h: InflationWindow; last7d: InflationWindow };
  };
  users: {
    /** User accounts in the ledger (every user who ever had an entry); the population below. */
    accounts: number;
    averageBalance: number;
    medianBalance: number;
    tokensPerUserPerDay: { windowDays: number; earned: number; value: number };
    tierDistribution: { basis: EconomyConfig['tiers']['basis']; counts: Record<TierId, number> };
  };
  activity: {
    /** All-time user credits of earning kinds, by activity. */
    earningByActivity: Record<string, number>;
    /** All-time user debits of spend entries, by category (the entry's activity). */
    spendingByCategory: Record<string, number>;
    /** Tokens moved by gifts, all time and since UTC midnight. */
    giftVolume: { allTime: number; today: number };
    /** Distinct users credited by an earning kind since UTC midnight. */
    activeEarnersToday: number;
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

/** Net issuance and burn since `since` turned into a window: flows are signed leg sums. */
async function inflationWindow(ledger: Pick<LedgerQueries, 'netFlows'>, inCirculation: number, since: Date): Promise<InflationWindow> {
  const flows = await ledger.netFlows([ISSUANCE, SINK], since);
  const issued = -(flows[ISSUANCE] ?? 0);
  const burned = flows[SINK] ?? 0;
  const netNew = issued - burned;
  const supplyAtStart = inCirculation - netNew;
  return { since: since.toISOString(), supplyAtStart, issued, burned, netNew, ratePct: supplyAtStart > 0 ? round2((netNew / supplyAtStart) * 100) : null };
}

/** Users per tier from the counts at or above each threshold (a user counts in the highest tier reached). */
async function tierDistribution(ledger: Pick<LedgerQueries, 'countAccountsAtLeast'>, accounts: number, config: EconomyConfig): Promise<Record<TierId, number>> {
  const field: RankField = config.tiers.basis === 'balance' ? 'balance' : 'totalEarned';
  const t = config.tiers.thresholds;
  const [silverUp = 0, goldUp = 0, platinumUp = 0] = await ledger.countAccountsAtLeast(field, [t.silver, t.gold, t.platinum]);
  return { bronze: accounts - silverUp, silver: silverUp - goldUp, gold: goldUp - platinumUp, platinum: platinumUp };
}

/**
 * The seed's ANALYTICS metrics, computed from the journal and the account table at `at`. Each
 * number comes from its own read, so under concurrent writes they may describe instants a few
 * milliseconds apart; with no writes in between they agree exactly (issued - burned = circulation).
 */
export async function economyAnalytics(ledger: LedgerQueries, config: EconomyConfig, at: Date): Promise<EconomyAnalytics> {
  const today = new Date(utcDayStartMs(at));
  const perUserSince = new Date(at.getTime() - PER_USER_WINDOW_DAYS * DAY_MS);
  const [allFlows, stats, earningByActivity, spendingByCategory, giftsAll, giftsToday, earnedRecently, activeEarnersToday, firstEntryAt] = await Promise.all([
    ledger.netFlows([ISSUANCE, SINK]),
    ledger.userBalanceStats(),
    ledger.allUsersSumsByActivity({ direction: 'credit', kinds: EARNING_KINDS }),
    ledger.allUsersSumsByActivity({ direction: 'debit', kinds: SPENDING_KINDS }),
    ledger.allUsersSumsByActivity({ direction: 'debit', kinds: ['gift'] }),
    ledger.allUsersSumsByActivity({ direction: 'debit', kinds: ['gift'], since: today }),
    ledger.allUsersSumsByActivity({ direction: 'credit', kinds: EARNING_KINDS, since: perUserSince }),
    ledger.countActiveUsers({ direction: 'credit', kinds: EARNING_KINDS, since: today }),
    ledger.firstEntryAt(),
  ]);
  const inCirculation = stats.balanceSum;
  const [last24h, last7d, counts] = await Promise.all([
    inflationWindow(ledger, inCirculation, new Date(at.getTime() - DAY_MS)),
    inflationWindow(ledger, inCirculation, new Date(at.getTime() - 7 * DAY_MS)),
    tierDistribution(ledger, stats.accounts, config),
  ]);
  const earned = sum(earnedRecently);
  const windowDays = observedWindowDays(firstEntryAt, at);
  return {
    at: at.toISOString(),
    supply: { totalIssued: -(allFlows[ISSUANCE] ?? 0), totalBurned: allFlows[SINK] ?? 0, inCirculation, inflation: { last24h, last7d } },
    users: {
      accounts: stats.accounts,
      averageBalance: stats.accounts > 0 ? round2(inCirculation / stats.accounts) : 0,
      medianBalance: stats.medianBalance,
      tokensPerUserPerDay: { windowDays, earned, value: stats.accounts > 0 ? round2(earned / stats.accounts / windowDays) : 0 },
      tierDistribution: { basis: config.tiers.basis, counts },
    },
    activity: { earningByActivity, spendingByCategory, giftVolume: { allTime: sum(giftsAll), today: sum(giftsToday) }, activeEarnersToday },
  };
}
