import { cacheNoticeSender, onCacheNotice, type NodeNoticeDeps } from '../realtime/node-notices.js';

/**
 * How a change to a user's penalty standing made on this node (a penalty applied, a suspension or
 * ban lifted) reaches the other nodes' cached standings (server/abuse/award-gate.ts). Without it a
 * node that had just cached the user's standing would keep paying a suspended user for up to
 * STANDING_CACHE_MS. Best effort: a node that misses the notice (Redis away) still re-reads within
 * that bound.
 */
export interface StandingChanges {
  /** Tells every other node that `userId`'s standing changed; never throws. */
  announce(userId: string): void;
}

/** One node alone (no Redis, the simulation): there is nobody to tell. */
export const singleNodeStandingChanges: StandingChanges = { announce() {} };

/** `abuse:standing-changed` to every node sharing REDIS_PREFIX, over the Socket.IO adapter (as `economy:reload`). */
export function standingChangeNotices(deps: NodeNoticeDeps): StandingChanges {
  const send = cacheNoticeSender(deps, 'abuse:standing-changed', 'penalty standing changed; other nodes not told (Redis unavailable), their cached standing expires within its bound');
  return send ? { announce: (userId) => send({ userId }) } : singleNodeStandingChanges;
}

/** Makes this node forget a user's cached standing when another node changes it (once per app, in server/app.ts). */
export function followStandingChanges(deps: NodeNoticeDeps, gate: { invalidate(userId: string): void }): void {
  onCacheNotice(deps, 'abuse:standing-changed', (notice) => gate.invalidate(notice.userId));
}
