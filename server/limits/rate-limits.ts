import type { Redis } from 'ioredis';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitConfig } from '../config/env.js';
import { AppError } from '../lib/app-error.js';

/** Every rate limit the transports apply (server/http/rate-limit.ts, server/realtime/rate-limit.ts, server/auth). */
export type RateLimitName =
  | 'registration'
  | 'loginFailureAddress'
  | 'loginFailureUsername'
  | 'message'
  | 'socket'
  | 'upload'
  | 'gift'
  | 'passwordChange';

/** What consume/reward need of a limiter; BurstyRateLimiter is not a RateLimiterAbstract. */
type Limiter = Pick<RateLimiterAbstract, 'consume'> & Partial<Pick<RateLimiterAbstract, 'reward' | 'delete'>>;

/**
 * The rate limits of one node, on rate-limiter-flexible: RateLimiterRedis (one Lua INCR+PEXPIRE
 * round trip, shared by every node) when Redis is configured, RateLimiterMemory otherwise. A
 * refusal is an AppError RATE_LIMITED with `details.retryAfterMs`; a Redis failure falls back to a
 * per-node memory limiter (RLF's insurance limiter) rather than letting everything through or
 * refusing a whole chat because Redis blinked.
 */
export interface RateLimits {
  /** Takes `points` (default 1) for `key`; throws RATE_LIMITED when the limit is reached. */
  consume(name: RateLimitName, key: string, points?: number): Promise<void>;
  /** Gives points back (a socket that closed frees its slot, a login that succeeded its attempt). */
  reward(name: RateLimitName, key: string, points?: number): Promise<void>;
  /** Forgets `key`. */
  reset(name: RateLimitName, key: string): Promise<void>;
}

interface LimitSpec {
  points: number;
  durationMs: number;
}

/**
 * How long an open socket holds its slot when its node dies without giving it back: the slots of
 * a crashed node come back after this, not never.
 */
export const SOCKET_SLOT_TTL_MS = 24 * 60 * 60_000;

function specs(c: RateLimitConfig): Record<Exclude<RateLimitName, 'message'>, LimitSpec> & { message: LimitSpec; messageBurst: LimitSpec } {
  return {
    registration: { points: c.registrationsPerAddressPerHour, durationMs: 60 * 60_000 },
    loginFailureAddress: { points: c.loginFailuresPerAddressMax, durationMs: c.loginFailureWindowMs },
    loginFailureUsername: { points: c.loginFailuresPerUsernameMax, durationMs: c.loginFailureWindowMs },
    message: { points: c.messagesPerUserPerSecond, durationMs: 1000 },
    messageBurst: { points: c.messageBurstPerUser, durationMs: c.messageBurstWindowMs },
    socket: { points: c.socketsPerUserMax, durationMs: SOCKET_SLOT_TTL_MS },
    upload: { points: c.uploadsPerUserPerHour, durationMs: 60 * 60_000 },
    gift: { points: c.giftsPerUserPerSecond, durationMs: 1000 },
    passwordChange: { points: c.passwordChangesPerUserPerHour, durationMs: 60 * 60_000 },
  };
}

export function createRateLimits(config: RateLimitConfig, redis: Redis | null, prefix: string): RateLimits {
  const build = (name: string, spec: LimitSpec): RateLimiterAbstract => {
    // RLF counts durations in whole seconds; every window here is at least one.
    const opts = { keyPrefix: `${prefix}rl:${name}`, points: spec.points, duration: Math.max(1, Math.round(spec.durationMs / 1000)) };
    const memory = new RateLimiterMemory(opts);
    if (!redis) return memory;
    return new RateLimiterRedis({ ...opts, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(opts) });
  };
  const s = specs(config);
  const limiters = new Map<RateLimitName, Limiter>();
  for (const name of ['registration', 'loginFailureAddress', 'loginFailureUsername', 'socket', 'upload', 'gift', 'passwordChange'] as const) {
    limiters.set(name, build(name, s[name]));
  }
  // The steady rate first; only when it is spent does a message draw on the burst allowance.
  const message = build('message', s.message);
  limiters.set('message', s.messageBurst.points > 0 ? new BurstyRateLimiter(message, build('message-burst', s.messageBurst)) : message);

  const limiter = (name: RateLimitName): Limiter => limiters.get(name)!;
  return {
    async consume(name, key, points = 1) {
      try {
        await limiter(name).consume(key, points);
      } catch (err) {
        throw toRateLimited(err);
      }
    },
    async reward(name, key, points = 1) {
      await limiter(name).reward?.(key, points);
    },
    async reset(name, key) {
      await limiter(name).delete?.(key);
    },
  };
}

/** RLF rejects with a RateLimiterRes when the limit is reached, with an Error when its store failed. */
function toRateLimited(err: unknown): Error {
  if (err instanceof RateLimiterRes) return rateLimited(err.msBeforeNext);
  return err instanceof Error ? err : new Error(String(err));
}

/** The one shape of a rate-limit refusal: RATE_LIMITED with the wait in milliseconds (and whole seconds). */
export function rateLimited(msBeforeNext: number, message?: string): AppError {
  const retryAfterMs = Math.max(1, Math.ceil(msBeforeNext));
  return new AppError('RATE_LIMITED', message, { retryAfterMs, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) });
}

/**
 * Environment that raises every rate limit (except logins per username) far above any real
 * load, for harnesses that stand in for many people from one address: the test suite's servers
 * and the benchmark. The limiters still run on every request and event, so their cost is measured;
 * a test of a limit sets that limit low in its own env.
 */
export const HARNESS_RATE_LIMITS_ENV: Readonly<Record<string, string>> = {
  REGISTRATIONS_PER_ADDRESS_PER_HOUR: '1000000',
  LOGIN_FAILURES_PER_ADDRESS_MAX: '1000000',
  MESSAGES_PER_USER_PER_SECOND: '1000000',
  SOCKETS_PER_USER_MAX: '1000000',
  UPLOADS_PER_USER_PER_HOUR: '1000000',
  GIFTS_PER_USER_PER_SECOND: '1000000',
  PASSWORD_CHANGES_PER_USER_PER_HOUR: '1000000',
};
