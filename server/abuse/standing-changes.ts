import type { Redis } from 'ioredis';
import type { Logger } from '../lib/logger.js';
import type { AppServer } from '../realtime/types.js';

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

/** The node-to-node wiring of standing notices: transport parts, held by server/app.ts only. */
export interface StandingNoticeDeps {
  io: AppServer;
  redis: Redis | null;
  logger: Logger;
}

/** `abuse:standing-changed` to every node sharing REDIS_PREFIX, over the Socket.IO adapter (as `economy:reload`). */
export function standingChangeNotices(deps: StandingNoticeDeps): StandingChanges {
  const { redis } = deps;
  if (!redis) return singleNodeStandingChanges;
  return {
    announce(userId) {
      // The adapter's publish rejects unhandled with Redis away (server/earning/reload.ts); the
      // other nodes' cache bound covers a notice that cannot go out now.
      if (redis.status !== 'ready') {
        deps.logger.warn({ userId, redis: redis.status }, 'penalty standing changed; other nodes not told (Redis unavailable), their cached standing expires within its bound');
        return;
      }
      deps.io.serverSideEmit('abuse:standing-changed', { userId });
    },
  };
}

/** Makes this node forget a user's cached standing when another node changes it (once per app, in server/app.ts). */
export function followStandingChanges(deps: StandingNoticeDeps, gate: { invalidate(userId: string): void }): void {
  if (!deps.redis) return;
  deps.io.on('abuse:standing-changed', (notice) => gate.invalidate(notice.userId));
}
