import type { Redis } from 'ioredis';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Logger } from '../lib/logger.js';

/**
 * The Socket.IO adapter over Redis Streams (`@socket.io/redis-streams-adapter`): broadcasts go
 * through one stream that every node reads, so a node can replay what a reconnecting client
 * missed (connection state recovery), whichever node it reconnects to; the session itself is kept
 * in Redis for RECOVERY_MAX_DISCONNECTION_MS.
 *
 * Redis outages (test/integration/redis-outage.test.ts) must not stop local chat nor crash the
 * process, so the client handed to the adapter is wrapped:
 * - the publishing client fails fast (no offline queue): the adapter awaits XADD before local
 *   delivery and catches its failure, so local delivery goes on at once;
 * - fire-and-forget commands (PUBLISH for server-side events, SET of a recovery session) are
 *   caught and logged instead of becoming unhandled rejections;
 * - the reading clients the adapter duplicates get an offline queue and unbounded retries, so a
 *   blocking XREAD waits for Redis to come back instead of failing in a tight loop; their
 *   SUBSCRIBE (never awaited by the adapter) is caught when the node closes them first.
 */
export function redisStreamsAdapter(client: Redis, prefix: string, logger: Logger): { adapter: ReturnType<typeof createAdapter>; readers: Redis[] } {
  const readers: Redis[] = [];
  const forgiving = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'publish' || prop === 'set') {
        return (...args: unknown[]) =>
          (target[prop] as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch((err: unknown) => {
            logger.warn({ err: err instanceof Error ? err.message : String(err), command: prop }, 'socket.io adapter command dropped: redis unavailable');
            return null;
          });
      }
      if (prop === 'duplicate') {
        return () => {
          const reader = target.duplicate({ connectionName: 'io-stream-reader', enableOfflineQueue: true, maxRetriesPerRequest: null });
          reader.on('error', (err: Error) => logger.warn({ err: err.message, client: 'io-stream-reader' }, 'redis error'));
          // The adapter never handles its SUBSCRIBE promise: one still queued when the node closes
          // this client would reject unhandled. ioredis re-subscribes by itself after a reconnect.
          const subscribe = reader.subscribe.bind(reader) as (...channels: string[]) => Promise<unknown>;
          (reader as unknown as { subscribe: (...channels: string[]) => Promise<unknown> }).subscribe = (...channels) =>
            subscribe(...channels).catch((err: unknown) => {
              logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'socket.io adapter subscribe dropped');
              return 0;
            });
          readers.push(reader);
          return reader;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const adapter = createAdapter(forgiving, {
    streamName: `${prefix}socket.io`,
    channelPrefix: `${prefix}socket.io`,
    sessionKeyPrefix: `${prefix}sio:session:`,
    // Short blocking reads so a closing node lets go of Redis quickly.
    blockTimeInMs: 1000,
  });
  return { adapter, readers };
}
