import type { Redis } from 'ioredis';
import type { CapCounter } from './cap-counter.js';
import { MemoryCapCounter } from './memory-cap-counter.js';
import { RedisCapCounter } from './redis-cap-counter.js';
import { MemoryPinLockout, RedisPinLockout, type PinLockout } from './pin-lockout.js';
import { MemoryDailyBudgetCounter, RedisDailyBudgetCounter, type DailyBudgetCounter } from './daily-budget.js';
import { MemoryGiftComboCounter, RedisGiftComboCounter, type GiftComboCounter } from './gift-combos.js';

export * from './cap-counter.js';
export * from './errors.js';
export * from './pin-lockout.js';
export * from './daily-budget.js';
export { MemoryCapCounter } from './memory-cap-counter.js';
export { RedisCapCounter } from './redis-cap-counter.js';
export * from './gift-combos.js';

/** The counters every node shares through Redis, or keeps in the SQLite file on the embedded default. */
export interface Counters {
  caps: CapCounter;
  pinLockout: PinLockout;
  /** Gift (scope `gift`) and room reward (scope `room-reward`) daily budgets. */
  budgets: DailyBudgetCounter;
  /** Issue 13 (h13a): gift combos, a run of gifts from one sender to one recipient. */
  combos: GiftComboCounter;
}

/**
 * Redis adapters when `redis` is set (keys under `prefix`); otherwise the store's own counters when
 * it has some (`stores.embedded.counters`: the embedded default's SQLite file, so counts survive a
 * restart, issue 9); in-process adapters last (MongoDB without Redis, and unit tests).
 */
export function createCounters(redis: Redis | null, prefix: string, embedded: Counters | null = null): Counters {
  if (redis) return { caps: new RedisCapCounter(redis, prefix), pinLockout: new RedisPinLockout(redis, prefix), budgets: new RedisDailyBudgetCounter(redis, prefix), combos: new RedisGiftComboCounter(redis, prefix) };
  if (embedded) return embedded;
  return { caps: new MemoryCapCounter(), pinLockout: new MemoryPinLockout(), budgets: new MemoryDailyBudgetCounter(), combos: new MemoryGiftComboCounter() };
}
