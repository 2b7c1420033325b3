import type { Redis } from 'ioredis';
import type { Logger } from '../lib/logger.js';
import type { AppServer, ServerSideEvents } from './types.js';

/** The transport parts node notices need; held by server/app.ts only. */
export interface NodeNoticeDeps {
  io: AppServer;
  redis: Redis | null;
  logger: Logger;
}

/** The notices that tell other nodes to drop a cache (economy:reload has its own reply logic). */
export type CacheNotice = 'shop:catalogue-changed' | 'abuse:standing-changed';
type NoticeOf<K extends CacheNotice> = Parameters<ServerSideEvents[K]>[0];

/**
 * A sender of `event` to every other node sharing REDIS_PREFIX (`io.serverSideEmit` over the
 * Socket.IO adapter), or null on a node without Redis (nobody to tell). Never throws: with Redis
 * away the adapter's publish would reject unhandled (server/earning/reload.ts), so the notice is
 * skipped and logged, and the receivers' cache bound covers it.
 */
export function cacheNoticeSender<K extends CacheNotice>(deps: NodeNoticeDeps, event: K, skipped: string): ((notice: NoticeOf<K>) => void) | null {
  const { redis } = deps;
  if (!redis) return null;
  const emit = deps.io.serverSideEmit.bind(deps.io) as (ev: K, notice: NoticeOf<K>) => boolean;
  return (notice) => {
    if (redis.status !== 'ready') {
      deps.logger.warn({ notice: notice as object, redis: redis.status }, skipped);
      return;
    }
    emit(event, notice);
  };
}

/** Calls `heard` for every `event` another node sends (once per app, in server/app.ts); nothing without Redis. */
export function onCacheNotice<K extends CacheNotice>(deps: NodeNoticeDeps, event: K, heard: (notice: NoticeOf<K>) => void): void {
  if (!deps.redis) return;
  const on = deps.io.on.bind(deps.io) as (ev: K, listener: (notice: NoticeOf<K>) => void) => unknown;
  on(event, heard);
}
