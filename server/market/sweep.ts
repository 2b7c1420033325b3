import type { Logger } from '../lib/logger.js';
import type { MarketService } from './service.js';

/** How often a node sweeps the market (expired listings, stale claims); reads expire lazily anyway. */
export const MARKET_SWEEP_INTERVAL_MS = 60_000;

/**
 * Runs `market.sweep()` every interval on this node (several nodes sweeping at once is safe:
 * every close is a compare-and-set). The timer does not hold the process open; `stop` ends it.
 */
export function startMarketSweep(market: Pick<MarketService, 'sweep'>, logger: Pick<Logger, 'warn'>, intervalMs = MARKET_SWEEP_INTERVAL_MS): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    market
      .sweep()
      .catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'market sweep failed; the next one retries'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
