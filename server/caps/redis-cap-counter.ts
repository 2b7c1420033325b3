import type { Redis } from 'ioredis';
import type { ActivityId } from '../economy/config/schema.js';
import { remainingCaps, type CapLimits } from '../economy/rules/caps.js';
import { assertReserveInput, CAP_REASON_CODES, type CapCounter, type CapReservation, type CapReserveInput, type CapReserveResult, type CapUsageResult } from './cap-counter.js';
import { defineScript, replyInts } from './redis-script.js';
import { DAY_KEY_TTL_SECONDS, periodKeys, WEEK_KEY_TTL_SECONDS } from './periods.js';

/**
 * decideCap (server/economy/rules/caps.ts) in Lua, so check and increment are one atomic round
 * trip. KEYS[1] = day hash (field per activity for events, `t` for tokens), KEYS[2] = week
 * tokens. ARGV: activity, amount, eventsMax (-1 = none), dailyMax, weeklyMax, dayTtl, weekTtl.
 * Reply: granted, reason (0 none, 1 ACTIVITY_CAP, 2 DAILY_CAP, 3 WEEKLY_CAP), events, daily, weekly.
 */
const RESERVE_LUA = `
local amount = tonumber(ARGV[2])
local eventsMax = tonumber(ARGV[3])
local events = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local daily = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
local weekly = tonumber(redis.call('GET', KEYS[2]) or '0')
if eventsMax >= 0 and events >= eventsMax then return {0, 1, events, daily, weekly} end
local dailyLeft = math.max(0, tonumber(ARGV[4]) - daily)
local weeklyLeft = math.max(0, tonumber(ARGV[5]) - weekly)
local room = math.min(dailyLeft, weeklyLeft)
local granted = amount
local reason = 0
if amount > room then
  if dailyLeft <= weeklyLeft then reason = 2 else reason = 3 end
  granted = room
  if room == 0 then return {0, reason, events, daily, weekly} end
end
events = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if granted > 0 then
  daily = redis.call('HINCRBY', KEYS[1], 't', granted)
  weekly = redis.call('INCRBY', KEYS[2], granted)
  if redis.call('TTL', KEYS[2]) < 0 then redis.call('EXPIRE', KEYS[2], ARGV[7]) end
end
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[6]) end
return {granted, reason, events, daily, weekly}
`;

/** Gives back events and tokens, never below 0, never recreating an expired key. ARGV: activity, events, tokens. */
const RELEASE_LUA = `
local function sub_field(key, field, n)
  if n <= 0 or redis.call('EXISTS', key) == 0 then return end
  local cur = tonumber(redis.call('HGET', key, field) or '0')
  redis.call('HSET', key, field, math.max(0, cur - n))
end
sub_field(KEYS[1], ARGV[1], tonumber(ARGV[2]))
sub_field(KEYS[1], 't', tonumber(ARGV[3]))
local tokens = tonumber(ARGV[3])
if tokens > 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  local cur = tonumber(redis.call('GET', KEYS[2]) or '0')
  redis.call('SET', KEYS[2], math.max(0, cur - tokens), 'KEEPTTL')
end
return 1
`;

const USAGE_LUA = `
local events = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local daily = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
local weekly = tonumber(redis.call('GET', KEYS[2]) or '0')
return {events, daily, weekly}
`;

/** Caps shared by every node on one Redis. Keys: `${prefix}cap:{userId}:d:<day>` and `:w:<week>`. */
export class RedisCapCounter implements CapCounter {
  private readonly reserveScript;
  private readonly releaseScript;
  private readonly usageScript;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.reserveScript = defineScript(redis, 'tcCapReserve', 2, RESERVE_LUA);
    this.releaseScript = defineScript(redis, 'tcCapRelease', 2, RELEASE_LUA);
    this.usageScript = defineScript(redis, 'tcCapUsage', 2, USAGE_LUA);
  }

  /** The user id is a hash tag so both keys live in one Redis Cluster slot. */
  keys(userId: string, day: string, week: string): [string, string] {
    return [`${this.prefix}cap:{${userId}}:d:${day}`, `${this.prefix}cap:{${userId}}:w:${week}`];
  }

  async reserve(input: CapReserveInput): Promise<CapReserveResult> {
    assertReserveInput(input);
    const { day, week } = periodKeys(input.at);
    const l = input.limits;
    const reply = await this.reserveScript(this.keys(input.userId, day, week), [
      input.activity,
      input.amount,
      l.activityEventsMax ?? -1,
      l.dailyTokensMax,
      l.weeklyTokensMax,
      DAY_KEY_TTL_SECONDS,
      WEEK_KEY_TTL_SECONDS,
    ]);
    const [granted, reasonCode, events, daily, weekly] = replyInts(reply, 5) as [number, number, number, number, number];
    const reason = CAP_REASON_CODES[reasonCode];
    const counted = reasonCode === 1 || (granted === 0 && reason !== undefined) ? 0 : 1;
    const reservation: CapReservation = { userId: input.userId, activity: input.activity, day, week, events: counted, tokens: granted };
    return { granted, ...(reason ? { reason } : {}), reservation, usage: { activityEvents: events, dailyTokens: daily, weeklyTokens: weekly } };
  }

  async release(r: CapReservation): Promise<void> {
    if (r.events === 0 && r.tokens === 0) return;
    await this.releaseScript(this.keys(r.userId, r.day, r.week), [r.activity, r.events, r.tokens]);
  }

  async usage(input: { userId: string; activity: ActivityId; at: Date; limits: CapLimits }): Promise<CapUsageResult> {
    const { day, week } = periodKeys(input.at);
    const [events, daily, weekly] = replyInts(await this.usageScript(this.keys(input.userId, day, week), [input.activity]), 3) as [number, number, number];
    const usage = { activityEvents: events, dailyTokens: daily, weeklyTokens: weekly };
    return { usage, remaining: remainingCaps(usage, input.limits), day, week };
  }
}
