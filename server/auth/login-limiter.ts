import type { Clock } from '../lib/clock.js';

/**
 * Counts failed logins per (username, client address) in a fixed window, in process memory.
 * This is a modest brake on password guessing from one address; it is per node (a cluster of N
 * nodes allows N times the attempts) and forgets on restart, which is acceptable for a brake and
 * keeps logins independent of Redis. The map is bounded: when full, expired windows are swept and,
 * failing that, the oldest entry is dropped.
 */
export interface LoginLimiter {
  /** Seconds until the next attempt is allowed, or 0 when it is allowed now. */
  retryAfterSeconds(username: string, ip: string): number;
  recordFailure(username: string, ip: string): void;
  reset(username: string, ip: string): void;
}

export interface LoginLimiterOptions {
  attemptsMax: number;
  windowMs: number;
  entriesMax: number;
}

export const defaultLoginLimits: LoginLimiterOptions = { attemptsMax: 10, windowMs: 15 * 60_000, entriesMax: 50_000 };

export function createLoginLimiter(clock: Clock, opts: LoginLimiterOptions = defaultLoginLimits): LoginLimiter {
  const windows = new Map<string, { failures: number; startedMs: number }>();
  const keyOf = (username: string, ip: string): string => `${username.toLowerCase()}\u0000${ip}`;
  const live = (key: string, nowMs: number) => {
    const w = windows.get(key);
    if (w && nowMs - w.startedMs >= opts.windowMs) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };
  const makeRoom = (nowMs: number): void => {
    if (windows.size < opts.entriesMax) return;
    for (const key of windows.keys()) live(key, nowMs);
    if (windows.size >= opts.entriesMax) {
      const oldest = windows.keys().next();
      if (!oldest.done) windows.delete(oldest.value);
    }
  };

  return {
    retryAfterSeconds(username, ip) {
      const nowMs = clock.now().getTime();
      const w = live(keyOf(username, ip), nowMs);
      if (!w || w.failures < opts.attemptsMax) return 0;
      return Math.max(1, Math.ceil((w.startedMs + opts.windowMs - nowMs) / 1000));
    },
    recordFailure(username, ip) {
      const nowMs = clock.now().getTime();
      const key = keyOf(username, ip);
      const w = live(key, nowMs);
      if (w) {
        w.failures += 1;
        return;
      }
      makeRoom(nowMs);
      windows.set(key, { failures: 1, startedMs: nowMs });
    },
    reset(username, ip) {
      windows.delete(keyOf(username, ip));
    },
  };
}
