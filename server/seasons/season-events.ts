import type { ActiveEvent } from '../economy/rules/multipliers.js';
import type { EventSource } from '../earning/award-service.js';
import type { Clock } from '../lib/clock.js';
import type { SeasonRecord, SeasonStore } from './ports.js';
import { SEASON_SETTLE_MS, seasonEvents } from './rules.js';

/** How long one node reuses its read of the seasons with a multiplier (a season made on another node applies within this). */
export const SEASON_EVENTS_CACHE_MS = 10_000;
const SEASONS_READ_MAX = 100;

export interface SeasonEventSource extends EventSource {
  /** Forget the cached read (this node just created a season). */
  invalidate(): void;
}

/**
 * The award path's view of running seasons (server/earning/award-service.ts, `events`): one store
 * read per SEASON_EVENTS_CACHE_MS per node rather than one per award.
 */
export function createSeasonEventSource(store: Pick<SeasonStore, 'withMultiplierNotEnded'>, clock: Clock): SeasonEventSource {
  let cached: { readAt: number; seasons: SeasonRecord[] } | null = null;
  return {
    async activeAt(at: Date): Promise<readonly ActiveEvent[]> {
      const now = clock.now().getTime();
      if (!cached || now - cached.readAt >= SEASON_EVENTS_CACHE_MS || now < cached.readAt) {
        cached = { readAt: now, seasons: await store.withMultiplierNotEnded(new Date(now - SEASON_SETTLE_MS), SEASONS_READ_MAX) };
      }
      return seasonEvents(cached.seasons, at);
    },
    invalidate() {
      cached = null;
    },
  };
}
