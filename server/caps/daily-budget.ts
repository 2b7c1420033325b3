import type { Redis } from 'ioredis';
import { utcDayKey } from '../economy/rules/periods.js';
import { ExpiringMap } from './expiring-map.js';
import { DAY_KEY_TTL_SECONDS } from './periods.js';
import { defineScript, replyInts } from './redis-script.js';

/**
 * All-or-nothing daily budgets per (scope, key) and UTC day: at most `maxCount` uses and
 * `maxTokens` tokens a day (null = no limit). Gifts use scope `gift` keyed by sender (10 a day
 * and the tier's allowance); moderator rewards use scope `room-reward` keyed by room (the room's
 * daily budget). Reserve before the ledger write, release if the write fails.
 */
export interface DailyBudgetCounter {
  reserve(input: BudgetReserveInput): Promise<BudgetReserveResult>;
  release(reservation: BudgetReservation): Promise<void>;
  usage(input: { scope: string; key: string; at: Date }): Promise<BudgetUsage>;
}

export interface BudgetReserveInput {
  scope: string;
  key: string;
  amount: number;
  at: Date;
  maxCount: number | null;
  maxTokens: number | null;
}

export interface BudgetUsage {
  count: number;
  tokens: number;
}

export interface BudgetReservation {
  scope: string;
  key: string;
  day: string;
  count: number;
  tokens: number;
}

export type BudgetReserveResult =
  | { ok: true; usage: BudgetUsage; reservation: BudgetReservation }
  | { ok: false; reason: 'COUNT_LIMIT' | 'TOKEN_LIMIT'; usage: BudgetUsage; remainingCount: number | null; remainingTokens: number | null };

/** The rule both adapters apply: refuse on count first, then on tokens; else take one use and `amount`. */
export function decideBudget(amount: number, usage: BudgetUsage, maxCount: number | null, maxTokens: number | null): 'COUNT_LIMIT' | 'TOKEN_LIMIT' | null {
  if (maxCount !== null && usage.count + 1 > maxCount) return 'COUNT_LIMIT';
  if (maxTokens !== null && usage.tokens + amount > maxTokens) return 'TOKEN_LIMIT';
  return null;
}

export function refused(reason: 'COUNT_LIMIT' | 'TOKEN_LIMIT', usage: BudgetUsage, input: BudgetReserveInput): BudgetReserveResult {
  return {
    ok: false,
    reason,
    usage,
    remainingCount: input.maxCount === null ? null : Math.max(0, input.maxCount - usage.count),
    remainingTokens: input.maxTokens === null ? null : Math.max(0, input.maxTokens - usage.tokens),
  };
}

export function assertBudgetInput(input: BudgetReserveInput): void {
  if (!Number.isSafeInteger(input.amount) || input.amount < 1) throw new RangeError('amount must be a positive integer');
  if (!/^[a-z-]{1,32}$/.test(input.scope)) throw new RangeError('scope must be lowercase letters and dashes');
}

/**
 * One gift by `senderId`: at most `maxCount` gifts a day (config gifts.maxPerDay) and `maxTokens`
 * tokens a day (the sender's tier allowance; null for platinum's unlimited).
 */
export function reserveGift(
  counter: DailyBudgetCounter,
  g: { senderId: string; amount: number; at: Date; maxCount: number; maxTokens: number | null },
): Promise<BudgetReserveResult> {
  return counter.reserve({ scope: 'gift', key: g.senderId, amount: g.amount, at: g.at, maxCount: g.maxCount, maxTokens: g.maxTokens });
}

/** One moderator reward in `roomId`, within the room's daily budget (config roomRewards.dailyBudgetTokens). */
export function reserveRoomReward(
  counter: DailyBudgetCounter,
  r: { roomId: string; amount: number; at: Date; budgetTokens: number },
): Promise<BudgetReserveResult> {
  return counter.reserve({ scope: 'room-reward', key: r.roomId, amount: r.amount, at: r.at, maxCount: null, maxTokens: r.budgetTokens });
}

export class MemoryDailyBudgetCounter implements DailyBudgetCounter {
  private readonly entries = new ExpiringMap<BudgetUsage>();

  async reserve(input: BudgetReserveInput): Promise<BudgetReserveResult> {
    assertBudgetInput(input);
    const day = utcDayKey(input.at);
    const now = input.at.getTime();
    const k = `${input.scope}:${day}:${input.key}`;
    const cur = this.entries.get(k, now) ?? { count: 0, tokens: 0 };
    const reason = decideBudget(input.amount, cur, input.maxCount, input.maxTokens);
    if (reason) return refused(reason, { ...cur }, input);
    const next = { count: cur.count + 1, tokens: cur.tokens + input.amount };
    this.entries.set(k, next, this.entries.expiresAt(k) ?? now + DAY_KEY_TTL_SECONDS * 1000);
    return { ok: true, usage: { ...next }, reservation: { scope: input.scope, key: input.key, day, count: 1, tokens: input.amount } };
  }

  async release(r: BudgetReservation): Promise<void> {
    const k = `${r.scope}:${r.day}:${r.key}`;
    const cur = this.entries.get(k, -Infinity);
    if (!cur) return;
    this.entries.set(k, { count: Math.max(0, cur.count - r.count), tokens: Math.max(0, cur.tokens - r.tokens) }, this.entries.expiresAt(k) ?? 0);
  }

  async usage(input: { scope: string; key: string; at: Date }): Promise<BudgetUsage> {
    const cur = this.entries.get(`${input.scope}:${utcDayKey(input.at)}:${input.key}`, input.at.getTime());
    return { count: cur?.count ?? 0, tokens: cur?.tokens ?? 0 };
  }

  get size(): number {
    return this.entries.size;
  }
}

/** decideBudget in Lua. ARGV: amount, maxCount (-1 none), maxTokens (-1 none), ttl. Reply: ok, reason (0, 1 count, 2 tokens), count, tokens. */
const RESERVE_LUA = `
local amount = tonumber(ARGV[1])
local maxCount = tonumber(ARGV[2])
local maxTokens = tonumber(ARGV[3])
local c = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
local t = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
if maxCount >= 0 and c + 1 > maxCount then return {0, 1, c, t} end
if maxTokens >= 0 and t + amount > maxTokens then return {0, 2, c, t} end
c = redis.call('HINCRBY', KEYS[1], 'c', 1)
t = redis.call('HINCRBY', KEYS[1], 't', amount)
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
return {1, 0, c, t}
`;

const RELEASE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local c = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
local t = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
redis.call('HSET', KEYS[1], 'c', math.max(0, c - tonumber(ARGV[1])), 't', math.max(0, t - tonumber(ARGV[2])))
return 1
`;

const USAGE_LUA = `
return {tonumber(redis.call('HGET', KEYS[1], 'c') or '0'), tonumber(redis.call('HGET', KEYS[1], 't') or '0')}
`;

/** Budgets shared by every node. Key: `${prefix}budget:<scope>:{<key>}:<day>` (hash c, t). */
export class RedisDailyBudgetCounter implements DailyBudgetCounter {
  private readonly reserveScript;
  private readonly releaseScript;
  private readonly usageScript;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.reserveScript = defineScript(redis, 'tcBudgetReserve', 1, RESERVE_LUA);
    this.releaseScript = defineScript(redis, 'tcBudgetRelease', 1, RELEASE_LUA);
    this.usageScript = defineScript(redis, 'tcBudgetUsage', 1, USAGE_LUA);
  }

  key(scope: string, key: string, day: string): string {
    return `${this.prefix}budget:${scope}:{${key}}:${day}`;
  }

  async reserve(input: BudgetReserveInput): Promise<BudgetReserveResult> {
    assertBudgetInput(input);
    const day = utcDayKey(input.at);
    const reply = await this.reserveScript([this.key(input.scope, input.key, day)], [input.amount, input.maxCount ?? -1, input.maxTokens ?? -1, DAY_KEY_TTL_SECONDS]);
    const [ok, reasonCode, count, tokens] = replyInts(reply, 4) as [number, number, number, number];
    if (ok !== 1) return refused(reasonCode === 1 ? 'COUNT_LIMIT' : 'TOKEN_LIMIT', { count, tokens }, input);
    return { ok: true, usage: { count, tokens }, reservation: { scope: input.scope, key: input.key, day, count: 1, tokens: input.amount } };
  }

  async release(r: BudgetReservation): Promise<void> {
    await this.releaseScript([this.key(r.scope, r.key, r.day)], [r.count, r.tokens]);
  }

  async usage(input: { scope: string; key: string; at: Date }): Promise<BudgetUsage> {
    const [count, tokens] = replyInts(await this.usageScript([this.key(input.scope, input.key, utcDayKey(input.at))], []), 2) as [number, number];
    return { count, tokens };
  }
}
