import type { Logger } from '../lib/logger.js';
import type { SeasonService } from './season-service.js';

export interface SeasonSweeper {
  stop(): void;
}

/**
 * Closes ended seasons every `intervalMs` on this node (economy config `seasons.closeCheckSeconds`;
 * 0 = off, seasons then close lazily on reads and by the admin route). Every node may run one:
 * closing twice pays once. A failed sweep is logged and tried again at the next tick.
 */
export function startSeasonSweeper(service: Pick<SeasonService, 'closeDue'>, intervalMs: number, logger: Logger): SeasonSweeper {
  if (intervalMs <= 0) return { stop() {} };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    service
      .closeDue()
      .catch((err: unknown) => logger.error({ err }, 'season close sweep failed'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
