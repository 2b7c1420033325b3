import type { Redis } from 'ioredis';
import { ExpiringMap } from '../caps/expiring-map.js';
import type { Logger } from '../lib/logger.js';

/**
 * "At most once per window" per key, for ephemeral signals (typing). `pass` answers 0 when the
 * caller may go ahead, else how many ms are left in the window. With Redis one `SET NX PX` decides
 * for every node atomically; if Redis fails, this node decides alone (a typing notice is not
 * worth refusing chat over, and the window still holds per node).
 */
export interface Throttle {
  pass(key: string, windowMs: number): Promise<number>;
}

export function createThrottle(redis: Redis | null, prefix: string, logger: Logger, nowMs: () => number = Date.now): Throttle {
  const local = new ExpiringMap<true>(10_000);
  const passLocally = (key: string, windowMs: number): number => {
    const now = nowMs();
    if (local.get(key, now)) return Math.max(1, (local.expiresAt(key) ?? now) - now);
    local.set(key, true, now + windowMs);
    return 0;
  };
  return {
    async pass(key, windowMs) {
      if (windowMs <= 0) return 0;
      if (!redis) return passLocally(key, windowMs);
      const redisKey = `${prefix}throttle:${key}`;
      try {
        if ((await redis.set(redisKey, '1', 'PX', windowMs, 'NX')) === 'OK') return 0;
        return Math.max(1, await redis.pttl(redisKey));
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'throttle falls back to this node: redis unavailable');
        return passLocally(key, windowMs);
      }
    },
  };
}
