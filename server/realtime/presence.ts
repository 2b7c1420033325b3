import type { Redis } from 'ioredis';
import type { Logger } from '../lib/logger.js';

/**
 * Who has at least one connected socket, on any node. A user is online from their first socket's
 * connect to their last socket's close; the tracker answers "first" and "last" so the caller
 * announces each transition once.
 *
 * With Redis every socket is an entry with an expiry time in two sorted sets (the user's, and one
 * of every entry for sweeping); each node renews its own entries every third of
 * PRESENCE_TTL_SECONDS. When a node dies its entries stop being renewed: they no longer count at
 * once, and the next sweep by any live node removes them and reports the users left with no
 * socket, exactly once (the sweep is one script). Without Redis (one node) a Map is exact.
 */
export interface PresenceTracker {
  /** Records a connected socket; true when it is the user's first. */
  connected(userId: string, socketId: string): Promise<boolean>;
  /** Forgets a socket; true when it was the user's last. */
  disconnected(userId: string, socketId: string): Promise<boolean>;
  /** Which of these users are online now. */
  onlineOf(userIds: readonly string[]): Promise<Set<string>>;
  /** Starts renewing this node's entries and sweeping dead ones; `onOffline` gets the users a sweep found gone. */
  start(onOffline: (userIds: string[]) => void): void;
  /** One heartbeat now: renews this node's entries, sweeps dead ones, answers the users found gone (the timer calls it). */
  beat(): Promise<string[]>;
  stop(): void;
}

export interface PresenceOptions {
  prefix: string;
  ttlSeconds: number;
  logger: Logger;
  /** Wall-clock ms (entries expire in real time, shared by every node). */
  nowMs?: () => number;
}

export function createPresenceTracker(redis: Redis | null, opts: PresenceOptions): PresenceTracker {
  return redis ? new RedisPresence(redis, opts) : new MemoryPresence();
}

class MemoryPresence implements PresenceTracker {
  private readonly sockets = new Map<string, Set<string>>();

  async connected(userId: string, socketId: string): Promise<boolean> {
    const set = this.sockets.get(userId) ?? new Set<string>();
    this.sockets.set(userId, set);
    set.add(socketId);
    return set.size === 1;
  }

  async disconnected(userId: string, socketId: string): Promise<boolean> {
    const set = this.sockets.get(userId);
    if (!set?.delete(socketId)) return false;
    if (set.size > 0) return false;
    this.sockets.delete(userId);
    return true;
  }

  async onlineOf(userIds: readonly string[]): Promise<Set<string>> {
    return new Set(userIds.filter((id) => this.sockets.has(id)));
  }

  start(): void {}
  stop(): void {}
  // One node: nothing expires, nothing to sweep.
  async beat(): Promise<string[]> {
    return [];
  }
}

// Entry member of the sweep set: `<userId>|<socketId>` (user ids are ULIDs, socket ids never hold '|').
const CONNECT_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
return redis.call('ZCARD', KEYS[1])`;

const DISCONNECT_LUA = `
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2])
if removed == 0 then return -1 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
return redis.call('ZCARD', KEYS[1])`;

const SWEEP_LUA = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local offline = {}
for _, m in ipairs(expired) do
  redis.call('ZREM', KEYS[1], m)
  local sep = string.find(m, '|', 1, true)
  if sep then
    local user = string.sub(m, 1, sep - 1)
    local ukey = ARGV[3] .. user
    local removed = redis.call('ZREM', ukey, string.sub(m, sep + 1))
    redis.call('ZREMRANGEBYSCORE', ukey, '-inf', ARGV[1])
    if removed == 1 and redis.call('ZCARD', ukey) == 0 then table.insert(offline, user) end
  end
end
return offline`;

/** How many dead entries one sweep removes at most (the next sweep takes the rest). */
const SWEEP_BATCH_MAX = 500;

class RedisPresence implements PresenceTracker {
  private readonly local = new Map<string, string>(); // socketId -> userId, this node's sockets
  private readonly ttlMs: number;
  private readonly nowMs: () => number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly opts: PresenceOptions,
  ) {
    this.ttlMs = opts.ttlSeconds * 1000;
    this.nowMs = opts.nowMs ?? Date.now;
  }

  private userKey(userId: string): string {
    return `${this.opts.prefix}presence:u:${userId}`;
  }

  /**
   * A user's set outlives its entries by one more TTL, so the sweep (every third of a TTL) always
   * finds the set of a dead node's user and reports them offline before Redis drops it.
   */
  private keyExpiry(nowMs: number): number {
    return nowMs + 2 * this.ttlMs;
  }

  private get allKey(): string {
    return `${this.opts.prefix}presence:all`;
  }

  async connected(userId: string, socketId: string): Promise<boolean> {
    this.local.set(socketId, userId);
    const now = this.nowMs();
    const n = await this.redis.eval(CONNECT_LUA, 2, this.userKey(userId), this.allKey, socketId, `${userId}|${socketId}`, now + this.ttlMs, now, this.keyExpiry(now));
    return Number(n) === 1;
  }

  async disconnected(userId: string, socketId: string): Promise<boolean> {
    this.local.delete(socketId);
    const n = await this.redis.eval(DISCONNECT_LUA, 2, this.userKey(userId), this.allKey, socketId, `${userId}|${socketId}`, this.nowMs());
    return Number(n) === 0;
  }

  async onlineOf(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const now = this.nowMs();
    const pipe = this.redis.pipeline();
    for (const id of userIds) pipe.zcount(this.userKey(id), `(${now}`, '+inf');
    const replies = (await pipe.exec()) ?? [];
    return new Set(userIds.filter((_, i) => Number(replies[i]?.[1] ?? 0) > 0));
  }

  start(onOffline: (userIds: string[]) => void): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.beat().then(onOffline, (err: unknown) => this.opts.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'presence heartbeat failed'));
    }, Math.max(1000, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Renews this node's entries (re-adding any a long Redis outage let expire), then sweeps dead ones. */
  async beat(): Promise<string[]> {
    const now = this.nowMs();
    const expiry = now + this.ttlMs;
    if (this.local.size > 0) {
      const pipe = this.redis.pipeline();
      for (const [socketId, userId] of this.local) {
        pipe.zadd(this.userKey(userId), expiry, socketId);
        pipe.pexpireat(this.userKey(userId), this.keyExpiry(now));
        pipe.zadd(this.allKey, expiry, `${userId}|${socketId}`);
      }
      await pipe.exec();
    }
    const offline = await this.redis.eval(SWEEP_LUA, 1, this.allKey, now, SWEEP_BATCH_MAX, `${this.opts.prefix}presence:u:`);
    return Array.isArray(offline) ? offline.map(String) : [];
  }
}
