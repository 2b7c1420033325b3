import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FakeActivityPolicy } from '../economy/config/schema.js';
import { activityVerdict, type ActivityVerdict } from '../economy/rules/abuse.js';
import { ExpiringMap } from '../caps/expiring-map.js';
import { defineScript } from '../caps/redis-script.js';

/**
 * Time-based validation of rewarded messages: remembers each user's last message time and the
 * hashes of bodies that earned recently, and answers whether this message may earn. Redis when
 * configured (every node sees the same state, one round trip), in process otherwise.
 */
export interface ActivityGuard {
  check(input: { userId: string; content: string; at: Date; policy: FakeActivityPolicy }): Promise<ActivityVerdict>;
}

/** A body's fingerprint: identical text, or identical ciphertext, gives the same hash. */
export function contentHash(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('base64url').slice(0, 32);
}

const off = (policy: FakeActivityPolicy): boolean => policy.minMessageIntervalMs === 0 && policy.duplicateWindowMs === 0;

/** Embedded default: single node, state dies with the process. */
export class MemoryActivityGuard implements ActivityGuard {
  private readonly last = new ExpiringMap<number>();
  private readonly seen = new ExpiringMap<number>();

  async check({ userId, content, at, policy }: Parameters<ActivityGuard['check']>[0]): Promise<ActivityVerdict> {
    if (off(policy)) return null;
    const nowMs = at.getTime();
    const hashKey = `${userId}:${contentHash(content)}`;
    const verdict = activityVerdict({ lastMessageMs: this.last.get(userId, nowMs) ?? null, sameContentMs: this.seen.get(hashKey, nowMs) ?? null }, nowMs, policy);
    if (policy.minMessageIntervalMs > 0) this.last.set(userId, nowMs, nowMs + policy.minMessageIntervalMs);
    if (verdict === null && policy.duplicateWindowMs > 0) this.seen.set(hashKey, nowMs, nowMs + policy.duplicateWindowMs);
    return verdict;
  }
}

/**
 * KEYS[1] the user's last message time, KEYS[2] when this body last earned.
 * ARGV now_ms, min_interval_ms, duplicate_window_ms. Mirrors activityVerdict: 0 ok, 1 TOO_FAST,
 * 2 DUPLICATE_CONTENT. Every message moves the last time; only a message that passes marks its body.
 */
const ACTIVITY_LUA = `
local now = tonumber(ARGV[1])
local min_interval = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local verdict = 0
if min_interval > 0 then
  local last = redis.call('GET', KEYS[1])
  if last and now - tonumber(last) < min_interval then verdict = 1 end
  redis.call('SET', KEYS[1], now, 'PX', min_interval)
end
if verdict == 0 and window > 0 then
  local seen = redis.call('GET', KEYS[2])
  if seen and now - tonumber(seen) < window then
    verdict = 2
  else
    redis.call('SET', KEYS[2], now, 'PX', window)
  end
end
return verdict
`;

const VERDICTS: readonly ActivityVerdict[] = [null, 'TOO_FAST', 'DUPLICATE_CONTENT'];

/** Shared by every node; keys carry the user in a hash tag so both live in one cluster slot. */
export class RedisActivityGuard implements ActivityGuard {
  private readonly script;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.script = defineScript(redis, 'tcAbuseActivity', 2, ACTIVITY_LUA);
  }

  async check({ userId, content, at, policy }: Parameters<ActivityGuard['check']>[0]): Promise<ActivityVerdict> {
    if (off(policy)) return null;
    const base = `${this.prefix}abuse:{${userId}}`;
    const reply = await this.script([`${base}:last`, `${base}:body:${contentHash(content)}`], [at.getTime(), policy.minMessageIntervalMs, policy.duplicateWindowMs]);
    const verdict = VERDICTS[Number(reply)];
    if (verdict === undefined) throw new Error('Unexpected activity script reply');
    return verdict;
  }
}

export function createActivityGuard(redis: Redis | null, prefix: string): ActivityGuard {
  return redis ? new RedisActivityGuard(redis, prefix) : new MemoryActivityGuard();
}
