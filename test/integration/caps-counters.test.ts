import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { createRedis, waitReady } from '../../server/redis.js';
import { createLogger } from '../../server/lib/logger.js';
import { ManualClock } from '../../server/lib/clock.js';
import { createCounters, reserveGift, reserveRoomReward, type Counters, pinPolicyFrom } from '../../server/caps/index.js';
import { REDIS_URL, uniquePrefix } from '../support/server.js';
import { openSqlite } from '../../server/stores/sqlite/db.js';
import { sqliteCounters } from '../../server/stores/sqlite/counters.js';

/**
 * One suite, both adapters: the in-process counters of the embedded default and the Redis
 * counters (real Redis, a fresh key prefix per test). Same inputs, same answers.
 */

let redis: Redis;
const prefixes: string[] = [];
beforeAll(async () => {
  redis = createRedis(REDIS_URL, createLogger('silent'), 'caps-test');
  await waitReady(redis, 5000);
});
afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

function redisCounters(): Counters {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  return createCounters(redis, prefix);
}

const adapters: [string, () => Counters][] = [
  ['in-process', () => createCounters(null, 'unused:')],
  ['redis', redisCounters],
  // The embedded default keeps its counters in its SQLite file (issue 9): one fresh database each.
  ['sqlite', () => sqliteCounters(openSqlite(':memory:'))],
];

const limits = { activityEventsMax: 100, dailyTokensMax: 500, weeklyTokensMax: 3000 };
const pinPolicy = pinPolicyFrom({ maxFailures: 5, lockMinutes: 15, failureWindowMinutes: 15 });
const HOUR = 3_600_000;

describe.each(adapters)('cap counter (%s)', (_name, make) => {
  it('grants in full, counts events and tokens, reports usage', async () => {
    const { caps } = make();
    const at = new Date('2026-01-07T10:00:00Z');
    const r = await caps.reserve({ userId: 'u1', activity: 'send_message', amount: 3, at, limits });
    expect(r.granted).toBe(3);
    expect(r.reason).toBeUndefined();
    expect(r.usage).toEqual({ activityEvents: 1, dailyTokens: 3, weeklyTokens: 3 });
    const u = await caps.usage({ userId: 'u1', activity: 'send_message', at, limits });
    expect(u.usage).toEqual({ activityEvents: 1, dailyTokens: 3, weeklyTokens: 3 });
    expect(u.remaining).toEqual({ activityEvents: 99, dailyTokens: 497, weeklyTokens: 2997, tokens: 497 });
    expect((await caps.usage({ userId: 'u1', activity: 'share_file', at, limits })).usage.activityEvents).toBe(0);
    expect((await caps.usage({ userId: 'u2', activity: 'send_message', at, limits })).usage.dailyTokens).toBe(0);
  });

  it('the activity cap grants nothing once hit', async () => {
    const { caps } = make();
    const at = new Date('2026-01-07T10:00:00Z');
    const l = { ...limits, activityEventsMax: 2 };
    expect((await caps.reserve({ userId: 'u', activity: 'share_file', amount: 3, at, limits: l })).granted).toBe(3);
    expect((await caps.reserve({ userId: 'u', activity: 'share_file', amount: 3, at, limits: l })).granted).toBe(3);
    const third = await caps.reserve({ userId: 'u', activity: 'share_file', amount: 3, at, limits: l });
    expect(third).toMatchObject({ granted: 0, reason: 'ACTIVITY_CAP', reservation: { events: 0, tokens: 0 } });
    // Other activities still earn.
    expect((await caps.reserve({ userId: 'u', activity: 'send_message', amount: 1, at, limits: l })).granted).toBe(1);
  });

  it('partial grant at the daily total, then nothing', async () => {
    const { caps } = make();
    const at = new Date('2026-01-07T10:00:00Z');
    const l = { activityEventsMax: null, dailyTokensMax: 10, weeklyTokensMax: 3000 };
    expect((await caps.reserve({ userId: 'u', activity: 'create_room', amount: 7, at, limits: l })).granted).toBe(7);
    expect(await caps.reserve({ userId: 'u', activity: 'create_room', amount: 7, at, limits: l })).toMatchObject({ granted: 3, reason: 'DAILY_CAP' });
    expect(await caps.reserve({ userId: 'u', activity: 'create_room', amount: 7, at, limits: l })).toMatchObject({ granted: 0, reason: 'DAILY_CAP' });
    expect((await caps.usage({ userId: 'u', activity: 'create_room', at, limits: l })).usage).toEqual({ activityEvents: 2, dailyTokens: 10, weeklyTokens: 10 });
  });

  it('partial grant at the weekly total across days', async () => {
    const { caps } = make();
    const l = { activityEventsMax: null, dailyTokensMax: 10, weeklyTokensMax: 25 };
    const mon = new Date('2026-01-05T10:00:00Z');
    expect((await caps.reserve({ userId: 'u', activity: 'join_room', amount: 10, at: mon, limits: l })).granted).toBe(10);
    expect((await caps.reserve({ userId: 'u', activity: 'join_room', amount: 10, at: new Date(mon.getTime() + 24 * HOUR), limits: l })).granted).toBe(10);
    const wed = await caps.reserve({ userId: 'u', activity: 'join_room', amount: 10, at: new Date(mon.getTime() + 48 * HOUR), limits: l });
    expect(wed).toMatchObject({ granted: 5, reason: 'WEEKLY_CAP' });
  });

  it('50 concurrent reserves never exceed the caps', async () => {
    const { caps } = make();
    const at = new Date('2026-01-07T10:00:00Z');
    const byEvents = await Promise.all(
      Array.from({ length: 50 }, () => caps.reserve({ userId: 'e', activity: 'send_message', amount: 1, at, limits: { ...limits, activityEventsMax: 30 } })),
    );
    expect(byEvents.filter((r) => r.granted === 1)).toHaveLength(30);
    expect(byEvents.filter((r) => r.reason === 'ACTIVITY_CAP')).toHaveLength(20);

    const byTokens = await Promise.all(
      Array.from({ length: 50 }, () => caps.reserve({ userId: 't', activity: 'share_file', amount: 3, at, limits: { activityEventsMax: null, dailyTokensMax: 100, weeklyTokensMax: 3000 } })),
    );
    expect(byTokens.reduce((s, r) => s + r.granted, 0)).toBe(100);
    expect(byTokens.filter((r) => r.granted === 1 && r.reason === 'DAILY_CAP')).toHaveLength(1);
    expect((await caps.usage({ userId: 't', activity: 'share_file', at, limits })).usage.dailyTokens).toBe(100);
  });

  it('release gives back events and tokens, never below zero', async () => {
    const { caps } = make();
    const at = new Date('2026-01-07T10:00:00Z');
    const l = { activityEventsMax: 1, dailyTokensMax: 500, weeklyTokensMax: 3000 };
    const r = await caps.reserve({ userId: 'u', activity: 'share_file', amount: 3, at, limits: l });
    expect((await caps.reserve({ userId: 'u', activity: 'share_file', amount: 3, at, limits: l })).reason).toBe('ACTIVITY_CAP');
    await caps.release(r.reservation);
    expect((await caps.usage({ userId: 'u', activity: 'share_file', at, limits: l })).usage).toEqual({ activityEvents: 0, dailyTokens: 0, weeklyTokens: 0 });
    await caps.release(r.reservation);
    expect((await caps.usage({ userId: 'u', activity: 'share_file', at, limits: l })).usage).toEqual({ activityEvents: 0, dailyTokens: 0, weeklyTokens: 0 });
    expect((await caps.reserve({ userId: 'u', activity: 'share_file', amount: 3, at, limits: l })).granted).toBe(3);
  });

  it('a release after midnight gives back to the day of the reservation', async () => {
    const { caps } = make();
    const clock = new ManualClock('2026-01-07T23:59:59Z');
    const r = await caps.reserve({ userId: 'u', activity: 'send_message', amount: 5, at: clock.now(), limits });
    clock.advance(2000);
    await caps.reserve({ userId: 'u', activity: 'send_message', amount: 2, at: clock.now(), limits });
    await caps.release(r.reservation);
    expect((await caps.usage({ userId: 'u', activity: 'send_message', at: clock.now(), limits })).usage).toEqual({ activityEvents: 1, dailyTokens: 2, weeklyTokens: 2 });
  });

  it('day and ISO-week rollover with a manual clock', async () => {
    const { caps } = make();
    const clock = new ManualClock('2026-01-11T23:59:59Z'); // Sunday
    const l = { activityEventsMax: 1, dailyTokensMax: 500, weeklyTokensMax: 3000 };
    expect((await caps.reserve({ userId: 'u', activity: 'send_message', amount: 4, at: clock.now(), limits: l })).granted).toBe(4);
    expect((await caps.reserve({ userId: 'u', activity: 'send_message', amount: 4, at: clock.now(), limits: l })).reason).toBe('ACTIVITY_CAP');
    clock.set('2026-01-12T00:00:00Z'); // Monday: new day and new week
    const r = await caps.reserve({ userId: 'u', activity: 'send_message', amount: 4, at: clock.now(), limits: l });
    expect(r).toMatchObject({ granted: 4, usage: { activityEvents: 1, dailyTokens: 4, weeklyTokens: 4 } });
    clock.set('2026-01-13T08:00:00Z'); // Tuesday: new day, same week
    const t = await caps.reserve({ userId: 'u', activity: 'send_message', amount: 4, at: clock.now(), limits: l });
    expect(t.usage).toEqual({ activityEvents: 1, dailyTokens: 4, weeklyTokens: 8 });
  });
});

describe.each(adapters)('PIN lockout (%s)', (_name, make) => {
  it('five failures lock for 15 minutes; the lock ends on time', async () => {
    const { pinLockout } = make();
    const clock = new ManualClock('2026-01-07T10:00:00Z');
    for (let i = 1; i <= 4; i++) {
      const r = await pinLockout.recordFailure({ userId: 'p', at: clock.now(), policy: pinPolicy });
      expect(r).toEqual({ locked: false, retryAfterSeconds: 0, failures: i, attemptsLeft: 5 - i });
      clock.advance(1000);
    }
    expect(await pinLockout.recordFailure({ userId: 'p', at: clock.now(), policy: pinPolicy })).toMatchObject({ locked: true, retryAfterSeconds: 900, attemptsLeft: 0 });
    clock.advance(60_000);
    expect(await pinLockout.isLocked({ userId: 'p', at: clock.now() })).toEqual({ locked: true, retryAfterSeconds: 840 });
    // Failing while locked does not extend the lock.
    expect(await pinLockout.recordFailure({ userId: 'p', at: clock.now(), policy: pinPolicy })).toMatchObject({ locked: true, retryAfterSeconds: 840 });
    expect((await pinLockout.isLocked({ userId: 'other', at: clock.now() })).locked).toBe(false);
    clock.advance(840_000);
    expect(await pinLockout.isLocked({ userId: 'p', at: clock.now() })).toEqual({ locked: false, retryAfterSeconds: 0 });
    // After the lock, counting starts again from zero.
    expect(await pinLockout.recordFailure({ userId: 'p', at: clock.now(), policy: pinPolicy })).toMatchObject({ locked: false, failures: 1 });
  });

  it('reset (a correct PIN) clears failures and a lock', async () => {
    const { pinLockout } = make();
    const at = new Date('2026-01-07T10:00:00Z');
    for (let i = 0; i < 4; i++) await pinLockout.recordFailure({ userId: 'p', at, policy: pinPolicy });
    await pinLockout.reset('p');
    expect(await pinLockout.recordFailure({ userId: 'p', at, policy: pinPolicy })).toMatchObject({ failures: 1, locked: false });
    for (let i = 0; i < 4; i++) await pinLockout.recordFailure({ userId: 'p', at, policy: pinPolicy });
    expect((await pinLockout.isLocked({ userId: 'p', at })).locked).toBe(true);
    await pinLockout.reset('p');
    expect((await pinLockout.isLocked({ userId: 'p', at })).locked).toBe(false);
  });

  it('standing says whether anything is recorded, so a correct PIN can skip a reset that would change nothing', async () => {
    const { pinLockout } = make();
    const at = new Date('2026-01-07T10:00:00Z');
    expect(await pinLockout.standing({ userId: 'p', at })).toEqual({ locked: false, retryAfterSeconds: 0, recorded: false });
    await pinLockout.recordFailure({ userId: 'p', at, policy: pinPolicy });
    expect(await pinLockout.standing({ userId: 'p', at })).toEqual({ locked: false, retryAfterSeconds: 0, recorded: true });
    expect(await pinLockout.standing({ userId: 'other', at })).toEqual({ locked: false, retryAfterSeconds: 0, recorded: false });
    for (let i = 0; i < 4; i++) await pinLockout.recordFailure({ userId: 'p', at, policy: pinPolicy });
    expect(await pinLockout.standing({ userId: 'p', at })).toEqual({ locked: true, retryAfterSeconds: 900, recorded: true });
    // An ended lock is still an entry until it expires: the next correct PIN clears it.
    expect(await pinLockout.standing({ userId: 'p', at: new Date(at.getTime() + 900_000) })).toEqual({ locked: false, retryAfterSeconds: 0, recorded: true });
    await pinLockout.reset('p');
    expect(await pinLockout.standing({ userId: 'p', at })).toEqual({ locked: false, retryAfterSeconds: 0, recorded: false });
  });

  it('failures older than the window are forgotten', async () => {
    const { pinLockout } = make();
    const clock = new ManualClock('2026-01-07T10:00:00Z');
    for (let i = 0; i < 4; i++) await pinLockout.recordFailure({ userId: 'p', at: clock.now(), policy: pinPolicy });
    clock.advance(15 * 60_000 + 1);
    expect(await pinLockout.recordFailure({ userId: 'p', at: clock.now(), policy: pinPolicy })).toMatchObject({ locked: false, failures: 1 });
  });

  it('concurrent failures lock exactly once', async () => {
    const { pinLockout } = make();
    const at = new Date('2026-01-07T10:00:00Z');
    const rs = await Promise.all(Array.from({ length: 12 }, () => pinLockout.recordFailure({ userId: 'c', at, policy: pinPolicy })));
    expect(rs.filter((r) => !r.locked).map((r) => r.failures).sort()).toEqual([1, 2, 3, 4]);
    expect(rs.filter((r) => r.locked)).toHaveLength(8);
  });
});

describe.each(adapters)('daily budgets (%s)', (_name, make) => {
  it('gifts: at most 10 a day, and never more than 20 when raced', async () => {
    const { budgets } = make();
    const at = new Date('2026-01-07T10:00:00Z');
    const rs = await Promise.all(Array.from({ length: 20 }, () => reserveGift(budgets, { senderId: 's', amount: 1, at, maxCount: 10, maxTokens: null })));
    expect(rs.filter((r) => r.ok)).toHaveLength(10);
    const refused = rs.find((r) => !r.ok);
    expect(refused).toMatchObject({ ok: false, reason: 'COUNT_LIMIT', remainingCount: 0, remainingTokens: null });
    expect(await budgets.usage({ scope: 'gift', key: 's', at })).toEqual({ count: 10, tokens: 10 });
    // The next UTC day starts fresh.
    const tomorrow = new Date('2026-01-08T00:00:00Z');
    expect((await reserveGift(budgets, { senderId: 's', amount: 1, at: tomorrow, maxCount: 10, maxTokens: null })).ok).toBe(true);
  });

  it('gifts: the tier allowance in tokens is all-or-nothing; release gives it back', async () => {
    const { budgets } = make();
    const at = new Date('2026-01-07T10:00:00Z');
    const a = await reserveGift(budgets, { senderId: 's', amount: 40, at, maxCount: 10, maxTokens: 50 });
    expect(a.ok).toBe(true);
    expect(await reserveGift(budgets, { senderId: 's', amount: 11, at, maxCount: 10, maxTokens: 50 })).toMatchObject({ ok: false, reason: 'TOKEN_LIMIT', remainingTokens: 10, usage: { count: 1, tokens: 40 } });
    expect((await reserveGift(budgets, { senderId: 's', amount: 10, at, maxCount: 10, maxTokens: 50 })).ok).toBe(true);
    if (!a.ok) throw new Error('expected ok');
    await budgets.release(a.reservation);
    expect(await budgets.usage({ scope: 'gift', key: 's', at })).toEqual({ count: 1, tokens: 10 });
  });

  it('room rewards: a per-room daily budget, separate from gifts', async () => {
    const { budgets } = make();
    const at = new Date('2026-01-07T10:00:00Z');
    expect((await reserveRoomReward(budgets, { roomId: 'r', amount: 150, at, budgetTokens: 200 })).ok).toBe(true);
    expect(await reserveRoomReward(budgets, { roomId: 'r', amount: 51, at, budgetTokens: 200 })).toMatchObject({ ok: false, reason: 'TOKEN_LIMIT' });
    expect((await reserveRoomReward(budgets, { roomId: 'other', amount: 200, at, budgetTokens: 200 })).ok).toBe(true);
    expect((await reserveGift(budgets, { senderId: 'r', amount: 50, at, maxCount: 10, maxTokens: 50 })).ok).toBe(true);
  });
});

describe('in-process expiry', () => {
  it('old periods are dropped as the passed-in time moves on', async () => {
    const counters = createCounters(null, 'unused:');
    const caps = counters.caps as unknown as { size: number; reserve: Counters['caps']['reserve'] };
    const at = new Date('2026-01-07T10:00:00Z');
    await caps.reserve({ userId: 'u', activity: 'send_message', amount: 1, at, limits });
    expect(caps.size).toBe(2);
    await caps.reserve({ userId: 'v', activity: 'send_message', amount: 1, at: new Date(at.getTime() + 3 * 24 * HOUR), limits });
    expect(caps.size).toBe(3); // u's day key is gone, u's week key lives 8 days
    await caps.reserve({ userId: 'v', activity: 'send_message', amount: 1, at: new Date(at.getTime() + 20 * 24 * HOUR), limits });
    expect(caps.size).toBe(2);
  });
});

describe('Redis and in-process caps agree', () => {
  it('on any sequence of reserves, releases and clock moves', async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('reserve' as const),
        user: fc.constantFrom('a', 'b'),
        activity: fc.constantFrom('send_message' as const, 'share_file' as const),
        amount: fc.integer({ min: 0, max: 20 }),
        advanceHours: fc.integer({ min: 0, max: 30 }),
      }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
    );
    const l = { activityEventsMax: 5, dailyTokensMax: 30, weeklyTokensMax: 60 };
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const mem = createCounters(null, 'unused:').caps;
        const red = redisCounters().caps;
        let t = Date.parse('2026-01-09T20:00:00Z');
        const held: Awaited<ReturnType<typeof mem.reserve>>['reservation'][] = [];
        for (const o of ops) {
          if (o.kind === 'reserve') {
            t += o.advanceHours * HOUR;
            const input = { userId: o.user, activity: o.activity, amount: o.amount, at: new Date(t), limits: l };
            const [m, r] = [await mem.reserve(input), await red.reserve(input)];
            expect(r).toEqual(m);
            held.push(m.reservation);
          } else if (held.length > 0) {
            const [res] = held.splice(o.pick % held.length, 1);
            await mem.release(res!);
            await red.release(res!);
          }
          for (const user of ['a', 'b']) {
            const q = { userId: user, activity: 'send_message' as const, at: new Date(t), limits: l };
            expect(await red.usage(q)).toEqual(await mem.usage(q));
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
