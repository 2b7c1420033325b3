import { mintedAndBurned } from '../ledger/audit.js';
import type { ADJUSTMENTS, ISSUANCE, SINK } from '../ledger/ports.js';
import type { Logger } from '../lib/logger.js';
import type { AppMetrics } from './metrics.js';

/**
 * What the supply gauges are computed from: the cached balances (one row per account), never the
 * journal. A read is a sum over the user account rows plus three system rows, so it can run every
 * few seconds on any ledger size.
 */
export interface SupplyFacts {
  /** Cached balance of each system account (0 when it has no row yet). */
  system: Record<typeof ISSUANCE | typeof SINK | typeof ADJUSTMENTS, number>;
  /** Sum of the cached balances of every user account. */
  userBalanceSum: number;
}

export interface SupplyFigures {
  minted: number;
  burned: number;
  circulating: number;
  /** True when the user balances add up to minted minus burned (the audit's supply rule). */
  ok: boolean;
}

/** The audit's supply rule (`mintedAndBurned`, server/ledger/audit.ts) over cached balances. */
export function judgeSupply(f: SupplyFacts): SupplyFigures {
  const { minted, burned } = mintedAndBurned(f.system);
  return { minted, burned, circulating: f.userBalanceSum, ok: minted - burned === f.userBalanceSum };
}

export type SupplySource = () => Promise<SupplyFacts>;

export interface SupplyRefresher {
  /** Reads the facts now and sets the gauges; resolves when they are set (a failure is logged). */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * Refreshes the supply gauges every `intervalMs` (and once at start). A scrape reads the last
 * figures; it never waits for the store. A failed read leaves the figures as they were, and the
 * refreshed-at gauge tells how old they are.
 */
export function startSupplyRefresher(deps: { metrics: AppMetrics; source: SupplySource; intervalMs: number; now: () => Date; logger: Logger }): SupplyRefresher {
  const m = deps.metrics;
  m.supplyInvariantOk.set(-1);
  let running: Promise<void> | null = null;
  const refresh = (): Promise<void> =>
    (running ??= (async () => {
      try {
        const figures = judgeSupply(await deps.source());
        m.supplyMinted.set(figures.minted);
        m.supplyBurned.set(figures.burned);
        m.supplyCirculating.set(figures.circulating);
        m.supplyInvariantOk.set(figures.ok ? 1 : 0);
        m.supplyRefreshedAt.set(deps.now().getTime() / 1000);
        if (!figures.ok) deps.logger.error({ figures }, 'token supply invariant broken: run the ledger audit');
      } catch (err) {
        deps.logger.warn({ err }, 'supply gauges could not be refreshed');
      } finally {
        running = null;
      }
    })());
  const timer = setInterval(() => void refresh(), deps.intervalMs);
  timer.unref();
  void refresh();
  return { refresh, stop: () => clearInterval(timer) };
}
