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

/**
 * The Socket.IO Redis adapter publishes fire-and-forget (it never awaits or catches `publish`).
 * With no offline queue, each publish while Redis is away rejects, and an unhandled rejection
 * ends a Node process: one Redis outage would take every node down. This wraps the adapter's
 * publisher so a failed publish is logged and dropped instead: local delivery goes on, other
 * nodes miss those events until Redis is back (the right trade for live fan-out; the state they
 * describe is in the store).
 */
export function forgivingPublisher(client: Redis, logger: Logger): Redis {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'publish') {
        return (...args: Parameters<Redis['publish']>) =>
          target.publish(...args).catch((err: unknown) => {
            logger.warn({ err: err instanceof Error ? err.message : String(err), channel: String(args[0]) }, 'socket.io publish dropped: redis unavailable');
            return 0;
          });
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
