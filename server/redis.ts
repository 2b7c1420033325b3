import { Redis } from 'ioredis';
import type { Logger } from './lib/logger.js';

/**
 * A Redis client for request-path counters. It fails fast when Redis is away (no offline queue,
 * one retry) so a chat message never waits on a dead Redis: the award is refused with a reason
 * and the message still flows. It reconnects in the background.
 */
export function createRedis(url: string, logger: Logger, name: string): Redis {
  const client = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  client.on('error', (err) => logger.warn({ err: err.message, client: name }, 'redis error'));
  return client;
}

/** Resolves once the client is ready, or rejects after `timeoutMs`. */
export function waitReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}
