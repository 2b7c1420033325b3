import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedis, waitReady } from '../../server/redis.js';
import { createLogger } from '../../server/lib/logger.js';
import { CapsUnavailableError, createCounters, pinPolicyFrom, RedisCapCounter, reserveGift } from '../../server/caps/index.js';
import { REDIS_URL, uniquePrefix } from '../support/server.js';

const logger = createLogger('silent');
const limits = { activityEventsMax: 100, dailyTokensMax: 500, weeklyTokensMax: 3000 };
const at = new Date('2026-01-07T10:00:00Z');

let nodeA: Redis;
let nodeB: Redis;
beforeAll(async () => {
  nodeA = createRedis(REDIS_URL, logger, 'caps-node-a');
  nodeB = createRedis(REDIS_URL, logger, 'caps-node-b');
  await Promise.all([waitReady(nodeA, 5000), waitReady(nodeB, 5000)]);
});
afterAll(async () => {
  await Promise.all([nodeA.quit(), nodeB.quit()]);
});

describe('Redis counters', () => {
  it('keys live under the prefix and expire after their period', async () => {
    const prefix = uniquePrefix();
    const counters = createCounters(nodeA, prefix);
    await counters.caps.reserve({ userId: 'u', activity: 'send_message', amount: 2, at, limits });
    await counters.pinLockout.recordFailure({ userId: 'u', at, policy: pinPolicyFrom({ maxFailures: 5, lockMinutes: 15, failureWindowMinutes: 15 }) });
    await reserveGift(counters.budgets, { senderId: 'u', amount: 1, at, maxCount: 10, maxTokens: null });
    const keys = (await nodeA.keys(`${prefix}*`)).sort();
    expect(keys).toEqual([
      `${prefix}budget:gift:{u}:2026-01-07`,
      `${prefix}cap:{u}:d:2026-01-07`,
      `${prefix}cap:{u}:w:2026-W02`,
      `${prefix}pin:{u}`,
    ]);
    const ttl = async (k: string): Promise<number> => nodeA.ttl(k);
    expect(await ttl(`${prefix}cap:{u}:d:2026-01-07`)).toBeGreaterThan(2 * 86_400 - 10);
    expect(await ttl(`${prefix}cap:{u}:d:2026-01-07`)).toBeLessThanOrEqual(2 * 86_400);
    expect(await ttl(`${prefix}cap:{u}:w:2026-W02`)).toBeGreaterThan(8 * 86_400 - 10);
    expect(await ttl(`${prefix}cap:{u}:w:2026-W02`)).toBeLessThanOrEqual(8 * 86_400);
    expect(await ttl(`${prefix}budget:gift:{u}:2026-01-07`)).toBeGreaterThan(0);
    expect(await ttl(`${prefix}pin:{u}`)).toBeGreaterThan(15 * 60);
    await nodeA.del(...keys);
  });

  it('a release keeps the TTL of the week key', async () => {
    const prefix = uniquePrefix();
    const caps = new RedisCapCounter(nodeA, prefix);
    const r = await caps.reserve({ userId: 'u', activity: 'send_message', amount: 2, at, limits });
    await caps.release(r.reservation);
    expect(await nodeA.get(`${prefix}cap:{u}:w:2026-W02`)).toBe('0');
    expect(await nodeA.ttl(`${prefix}cap:{u}:w:2026-W02`)).toBeGreaterThan(0);
    await nodeA.del(...caps.keys('u', '2026-01-07', '2026-W02'));
  });

  it('two nodes (two clients) share caps, lockouts and budgets', async () => {
    const prefix = uniquePrefix();
    const a = createCounters(nodeA, prefix);
    const b = createCounters(nodeB, prefix);
    const l = { ...limits, activityEventsMax: 25 };
    const rs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).caps.reserve({ userId: 'shared', activity: 'send_message', amount: 1, at, limits: l })),
    );
    expect(rs.filter((r) => r.granted === 1)).toHaveLength(25);
    expect((await b.caps.usage({ userId: 'shared', activity: 'send_message', at, limits: l })).usage.activityEvents).toBe(25);

    const policy = pinPolicyFrom({ maxFailures: 5, lockMinutes: 15, failureWindowMinutes: 15 });
    for (let i = 0; i < 5; i++) await (i % 2 === 0 ? a : b).pinLockout.recordFailure({ userId: 'p', at, policy });
    expect((await b.pinLockout.isLocked({ userId: 'p', at })).locked).toBe(true);
    await a.pinLockout.reset('p');
    expect((await b.pinLockout.isLocked({ userId: 'p', at })).locked).toBe(false);

    for (let i = 0; i < 10; i++) expect((await reserveGift(i % 2 === 0 ? a.budgets : b.budgets, { senderId: 's', amount: 1, at, maxCount: 10, maxTokens: null })).ok).toBe(true);
    expect((await reserveGift(a.budgets, { senderId: 's', amount: 1, at, maxCount: 10, maxTokens: null })).ok).toBe(false);
    const keys = await nodeA.keys(`${prefix}*`);
    if (keys.length > 0) await nodeA.del(...keys);
  });

  it('Redis down: every counter throws CapsUnavailableError fast', async () => {
    const dead = createRedis('redis://127.0.0.1:1', logger, 'caps-dead');
    try {
      const counters = createCounters(dead, uniquePrefix());
      const started = performance.now();
      await expect(counters.caps.reserve({ userId: 'u', activity: 'send_message', amount: 1, at, limits })).rejects.toBeInstanceOf(CapsUnavailableError);
      await expect(counters.caps.usage({ userId: 'u', activity: 'send_message', at, limits })).rejects.toBeInstanceOf(CapsUnavailableError);
      await expect(counters.pinLockout.isLocked({ userId: 'u', at })).rejects.toBeInstanceOf(CapsUnavailableError);
      await expect(reserveGift(counters.budgets, { senderId: 'u', amount: 1, at, maxCount: 10, maxTokens: null })).rejects.toBeInstanceOf(CapsUnavailableError);
      expect(performance.now() - started).toBeLessThan(500);
    } finally {
      dead.disconnect();
    }
  });

  it('Redis stopping mid-use: the same client fails fast with the typed error', async () => {
    const client = createRedis(REDIS_URL, logger, 'caps-drop');
    await waitReady(client, 5000);
    const caps = new RedisCapCounter(client, uniquePrefix());
    expect((await caps.reserve({ userId: 'u', activity: 'send_message', amount: 1, at, limits })).granted).toBe(1);
    client.disconnect(false);
    const started = performance.now();
    await expect(caps.reserve({ userId: 'u', activity: 'send_message', amount: 1, at, limits })).rejects.toBeInstanceOf(CapsUnavailableError);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
