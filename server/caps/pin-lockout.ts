import type { Redis } from 'ioredis';
import { ExpiringMap } from './expiring-map.js';
import { defineScript, replyInts } from './redis-script.js';

/**
 * Wrong-PIN lockout: `maxFailures` failures (each within `failureWindowMs` of the previous one)
 * lock gifting and purchasing for `lockMs`. A correct PIN calls `reset`. Times come from `at`
 * so a ManualClock drives them; Redis TTLs only clean up.
 */
export interface PinLockout {
  recordFailure(input: { userId: string; at: Date; policy: PinPolicy }): Promise<PinFailureResult>;
  isLocked(input: { userId: string; at: Date }): Promise<PinLockState>;
  /** `isLocked`, and whether the user has an entry at all (failures counted, or a lock): what a reset would clear. */
  standing(input: { userId: string; at: Date }): Promise<PinStanding>;
  reset(userId: string): Promise<void>;
}

export interface PinPolicy {
  maxFailures: number;
  lockMs: number;
  failureWindowMs: number;
}

export interface PinLockState {
  locked: boolean;
  /** Whole seconds until the lock ends (rounded up); 0 when not locked. */
  retryAfterSeconds: number;
}

export interface PinStanding extends PinLockState {
  /**
   * An entry exists (failures in the window, or a lock, running or ended, not yet expired). Without
   * one a reset changes nothing, so a correct PIN can skip it (issue 16: one write or Redis round
   * trip less per gift).
   */
  recorded: boolean;
}

export interface PinFailureResult extends PinLockState {
  /** Failures counted so far in the current window (0 once a lock starts). */
  failures: number;
  /** Wrong PINs left before a lock; 0 when locked. */
  attemptsLeft: number;
}

/** Converts the economy config's `pin` section. */
export function pinPolicyFrom(pin: { maxFailures: number; lockMinutes: number; failureWindowMinutes: number }): PinPolicy {
  return { maxFailures: pin.maxFailures, lockMs: pin.lockMinutes * 60_000, failureWindowMs: pin.failureWindowMinutes * 60_000 };
}

interface PinEntry {
  failures: number;
  lastMs: number;
  untilMs: number;
}

/** The shared rule of both adapters: the entry after one more failure at `nowMs`. */
export function nextPinEntry(prev: PinEntry | undefined, nowMs: number, policy: PinPolicy): PinEntry {
  if (prev && prev.untilMs > nowMs) return prev;
  const fresh = !prev || prev.untilMs > 0 || nowMs - prev.lastMs > policy.failureWindowMs;
  const failures = (fresh ? 0 : prev.failures) + 1;
  if (failures >= policy.maxFailures) return { failures: 0, lastMs: nowMs, untilMs: nowMs + policy.lockMs };
  return { failures, lastMs: nowMs, untilMs: 0 };
}

export function lockState(untilMs: number, nowMs: number): PinLockState {
  const locked = untilMs > nowMs;
  return { locked, retryAfterSeconds: locked ? Math.ceil((untilMs - nowMs) / 1000) : 0 };
}

export function failureResult(e: PinEntry, nowMs: number, policy: PinPolicy): PinFailureResult {
  const state = lockState(e.untilMs, nowMs);
  return { ...state, failures: e.failures, attemptsLeft: state.locked ? 0 : policy.maxFailures - e.failures };
}

export function entryTtlMs(policy: PinPolicy): number {
  return Math.max(policy.lockMs, policy.failureWindowMs) + 60_000;
}

export class MemoryPinLockout implements PinLockout {
  private readonly entries = new ExpiringMap<PinEntry>();

  async recordFailure({ userId, at, policy }: { userId: string; at: Date; policy: PinPolicy }): Promise<PinFailureResult> {
    const now = at.getTime();
    const next = nextPinEntry(this.entries.get(userId, now), now, policy);
    this.entries.set(userId, next, now + entryTtlMs(policy));
    return failureResult(next, now, policy);
  }

  async isLocked({ userId, at }: { userId: string; at: Date }): Promise<PinLockState> {
    return lockState(this.entries.get(userId, at.getTime())?.untilMs ?? 0, at.getTime());
  }

  async standing({ userId, at }: { userId: string; at: Date }): Promise<PinStanding> {
    const entry = this.entries.get(userId, at.getTime());
    return { ...lockState(entry?.untilMs ?? 0, at.getTime()), recorded: entry !== undefined };
  }

  async reset(userId: string): Promise<void> {
    this.entries.delete(userId);
  }
}

/** nextPinEntry in Lua. ARGV: now, maxFailures, lockMs, windowMs, ttlMs. Reply: failures, lastMs, untilMs. */
const FAILURE_LUA = `
local now = tonumber(ARGV[1])
local f = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
local untilMs = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
local exists = redis.call('EXISTS', KEYS[1]) == 1
if exists and untilMs > now then return {f, last, untilMs} end
if (not exists) or untilMs > 0 or now - last > tonumber(ARGV[4]) then f = 0 end
f = f + 1
if f >= tonumber(ARGV[2]) then
  f = 0
  untilMs = now + tonumber(ARGV[3])
else
  untilMs = 0
end
redis.call('HSET', KEYS[1], 'f', f, 'last', now, 'until', untilMs)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {f, now, untilMs}
`;

/** Lockouts shared by every node. Key: `${prefix}pin:{userId}` (hash f, last, until). */
export class RedisPinLockout implements PinLockout {
  private readonly failureScript;
  private readonly lockedScript;
  private readonly standingScript;
  private readonly deleteScript;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.deleteScript = defineScript(redis, 'tcDelKey', 1, `return redis.call('DEL', KEYS[1])`);
    this.failureScript = defineScript(redis, 'tcPinFailure', 1, FAILURE_LUA);
    this.lockedScript = defineScript(redis, 'tcPinUntil', 1, `return tonumber(redis.call('HGET', KEYS[1], 'until') or '0')`);
    this.standingScript = defineScript(redis, 'tcPinStanding', 1, `return {tonumber(redis.call('HGET', KEYS[1], 'until') or '0'), redis.call('EXISTS', KEYS[1])}`);
  }

  key(userId: string): string {
    return `${this.prefix}pin:{${userId}}`;
  }

  async recordFailure({ userId, at, policy }: { userId: string; at: Date; policy: PinPolicy }): Promise<PinFailureResult> {
    const now = at.getTime();
    const reply = await this.failureScript([this.key(userId)], [now, policy.maxFailures, policy.lockMs, policy.failureWindowMs, entryTtlMs(policy)]);
    const [failures, lastMs, untilMs] = replyInts(reply, 3) as [number, number, number];
    return failureResult({ failures, lastMs, untilMs }, now, policy);
  }

  async isLocked({ userId, at }: { userId: string; at: Date }): Promise<PinLockState> {
    return lockState(Number(await this.lockedScript([this.key(userId)], [])), at.getTime());
  }

  async standing({ userId, at }: { userId: string; at: Date }): Promise<PinStanding> {
    const [untilMs, exists] = replyInts(await this.standingScript([this.key(userId)], []), 2) as [number, number];
    return { ...lockState(untilMs, at.getTime()), recorded: exists === 1 };
  }

  async reset(userId: string): Promise<void> {
    await this.deleteScript([this.key(userId)], []);
  }
}
