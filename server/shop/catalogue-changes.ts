import { cacheNoticeSender, onCacheNotice, type NodeNoticeDeps } from '../realtime/node-notices.js';

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

/** `shop:catalogue-changed` to every node sharing REDIS_PREFIX, over the Socket.IO adapter (as `economy:reload`). */
export function catalogueChangeNotices(deps: NodeNoticeDeps): CatalogueChanges {
  const send = cacheNoticeSender(deps, 'shop:catalogue-changed', 'shop catalogue changed; other nodes not told (Redis unavailable), their cached effects refresh within the age bound');
  return send ? { announce: (itemId) => send({ itemId }) } : singleNodeCatalogueChanges;
}

/** Makes this node drop its cached effects table when another node changes the catalogue (once per app, in server/app.ts). */
export function followCatalogueChanges(deps: NodeNoticeDeps, catalogue: { forgetEffects(): void }): void {
  onCacheNotice(deps, 'shop:catalogue-changed', () => catalogue.forgetEffects());
}
