import type { Redis } from 'ioredis';
import { defineScript } from '../caps/redis-script.js';
import { isCapsUnavailable } from '../caps/errors.js';
import { AppError } from '../lib/app-error.js';

/**
 * Storage held by uploads still streaming, per user: an upload holds its bytes before the first
 * byte is read and lets go once its file record is written (or it failed). Holds end by
 * themselves after `ttlMs`, so a node that dies mid-upload does not keep a user's quota forever.
 *
 * The quota rule built on it (server/files/limits.ts): add the hold, THEN read the stored bytes.
 * A concurrent upload is then either still held (counted in `earlierBytes`) or already stored
 * (its record is written before its hold goes), so none is missed; at worst one is counted twice,
 * which refuses early and never lets the quota be overshot.
 */
export interface QuotaHolds {
  /** Adds a hold of `bytes`; answers the bytes of the user's other live holds, all added before it. */
  hold(userId: string, holdId: string, bytes: number, nowMs: number): Promise<{ earlierBytes: number }>;
  release(userId: string, holdId: string): Promise<void>;
}

/** How long a hold outlives a node that died without letting go. */
export const QUOTA_HOLD_TTL_MS = 60 * 60_000;

/** The embedded default: one process holds every upload it streams. */
export function memoryQuotaHolds(ttlMs = QUOTA_HOLD_TTL_MS): QuotaHolds {
  const byUser = new Map<string, Map<string, { bytes: number; expiresAtMs: number }>>();
  return {
    async hold(userId, holdId, bytes, nowMs) {
      const holds = byUser.get(userId) ?? new Map<string, { bytes: number; expiresAtMs: number }>();
      let earlierBytes = 0;
      for (const [id, h] of holds) {
        if (h.expiresAtMs <= nowMs) holds.delete(id);
        else earlierBytes += h.bytes;
      }
      holds.set(holdId, { bytes, expiresAtMs: nowMs + ttlMs });
      byUser.set(userId, holds);
      return { earlierBytes };
    },
    async release(userId, holdId) {
      const holds = byUser.get(userId);
      holds?.delete(holdId);
      if (holds?.size === 0) byUser.delete(userId);
    },
  };
}

/** Sums the live holds (dropping expired ones) and adds the new one, in one atomic step. */
const HOLD_LUA = `
local now = tonumber(ARGV[3])
local all = redis.call('HGETALL', KEYS[1])
local earlier = 0
for i = 1, #all, 2 do
  local bytes, expires = string.match(all[i + 1], '^(%d+):(%d+)$')
  if tonumber(expires) <= now then redis.call('HDEL', KEYS[1], all[i]) else earlier = earlier + tonumber(bytes) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. (now + tonumber(ARGV[4])))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return earlier
`;

/** Every node's uploads in one Redis hash per user, so two nodes cannot each fill the quota. */
export function redisQuotaHolds(redis: Redis, prefix: string, ttlMs = QUOTA_HOLD_TTL_MS): QuotaHolds {
  const holdScript = defineScript(redis, 'tcQuotaHold', 1, HOLD_LUA);
  const key = (userId: string): string => `${prefix}quota-holds:${userId}`;
  return {
    async hold(userId, holdId, bytes, nowMs) {
      try {
        return { earlierBytes: Number(await holdScript([key(userId)], [holdId, bytes, nowMs, ttlMs])) };
      } catch (err) {
        // Without the shared holds the quota cannot be kept: refuse the upload rather than guess.
        if (isCapsUnavailable(err)) throw new AppError('SERVICE_UNAVAILABLE', 'Storage quota cannot be checked right now');
        throw err;
      }
    },
    async release(userId, holdId) {
      await redis.hdel(key(userId), holdId);
    },
  };
}
