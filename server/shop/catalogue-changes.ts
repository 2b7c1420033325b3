import type { Redis } from 'ioredis';
import type { Logger } from '../lib/logger.js';
import type { AppServer } from '../realtime/types.js';

/**
 * How a catalogue change made on this node reaches the other nodes' cached effects tables
 * (server/shop/effects-cache.ts). Best effort: a node that misses the notice reloads its table
 * within EFFECTS_MAX_AGE_MS, or at once when it meets a purchase of the new item.
 */
export interface CatalogueChanges {
  /** Tells every other node that `itemId` was added or changed; never throws. */
  announce(itemId: string): void;
}

/** One node alone (no Redis, the simulation): there is nobody to tell. */
export const singleNodeCatalogueChanges: CatalogueChanges = { announce() {} };

/** The node-to-node wiring of catalogue notices: transport parts, held by server/app.ts only. */
export interface CatalogueNoticeDeps {
  io: AppServer;
  redis: Redis | null;
  logger: Logger;
}

/** `shop:catalogue-changed` to every node sharing REDIS_PREFIX, over the Socket.IO adapter (as `economy:reload`). */
export function catalogueChangeNotices(deps: CatalogueNoticeDeps): CatalogueChanges {
  const { redis } = deps;
  if (!redis) return singleNodeCatalogueChanges;
  return {
    announce(itemId) {
      // The adapter's publish rejects unhandled with Redis away (server/earning/reload.ts): the
      // other nodes' age bound covers a notice that cannot go out now.
      if (redis.status !== 'ready') {
        deps.logger.warn({ itemId, redis: redis.status }, 'shop catalogue changed; other nodes not told (Redis unavailable), their cached effects refresh within the age bound');
        return;
      }
      deps.io.serverSideEmit('shop:catalogue-changed', { itemId });
    },
  };
}

/** Makes this node drop its cached effects table when another node changes the catalogue (once per app, in server/app.ts). */
export function followCatalogueChanges(deps: CatalogueNoticeDeps, catalogue: { forgetEffects(): void }): void {
  if (!deps.redis) return;
  deps.io.on('shop:catalogue-changed', () => catalogue.forgetEffects());
}
