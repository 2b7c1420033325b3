import type { Redis } from 'ioredis';
import { defineScript } from './redis-script.js';

/**
 * Gift combos (issue 13, docs/gifts.md "Combos"): gifts from one sender to one recipient, each
 * within `windowMs` of the previous one, form a run. Each gift's step is decided atomically where
 * every node sees it: Redis when configured (one Lua script), else the embedded default's SQLite
 * file (one IMMEDIATE transaction), else the process (MongoDB without Redis: one node). Time is the
 * caller's clock. Each gift stays its own ledger entry; the combo is presentation only.
 */
export interface ComboStep {
  /** The run's id: the first gift's id. */
  id: string;
  /** This gift's place in the run (1 for the first). */
  count: number;
  /** Tokens of the run so far, this gift included. */
  total: number;
}

export interface ComboState extends ComboStep {
  /** When the run's latest gift was sent (ms). */
  lastMs: number;
}

export interface GiftComboInput {
  senderId: string;
  recipientId: string;
  giftId: string;
  amount: number;
  at: Date;
  windowMs: number;
}

export interface GiftComboCounter {
  /** Records one gift and answers its step of the run (a new run when the last gift is older than the window). */
  record(input: GiftComboInput): Promise<ComboStep>;
}

/** The pure rule all three adapters share. */
export function nextCombo(prev: ComboState | null, input: Pick<GiftComboInput, 'giftId' | 'amount' | 'windowMs'>, atMs: number): ComboState {
  if (prev && atMs - prev.lastMs <= input.windowMs && atMs >= prev.lastMs - input.windowMs) {
    return { id: prev.id, count: prev.count + 1, total: prev.total + input.amount, lastMs: Math.max(prev.lastMs, atMs) };
  }
  return { id: input.giftId, count: 1, total: input.amount, lastMs: atMs };
}

/** The key of one sender->recipient run. */
export const pairKey = (senderId: string, recipientId: string): string => `${senderId}:${recipientId}`;
/** The public part of a run's state. */
export const comboStep = (s: ComboState): ComboStep => ({ id: s.id, count: s.count, total: s.total });

/** In-process combos (one node); entries are dropped once their window has passed. */
export class MemoryGiftComboCounter implements GiftComboCounter {
  private readonly runs = new Map<string, ComboState>();
  async record(input: GiftComboInput): Promise<ComboStep> {
    const atMs = input.at.getTime();
    const key = pairKey(input.senderId, input.recipientId);
    const next = nextCombo(this.runs.get(key) ?? null, input, atMs);
    this.runs.set(key, next);
    if (this.runs.size > 10_000) for (const [k, s] of this.runs) if (atMs - s.lastMs > input.windowMs) this.runs.delete(k);
    return comboStep(next);
  }
}

const COMBO_LUA = `
local v = redis.call('HMGET', KEYS[1], 'id', 'count', 'total', 'last')
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local amount = tonumber(ARGV[3])
local id, count, total, last = ARGV[4], 1, amount, now
if v[1] and v[4] then
  local prev = tonumber(v[4])
  if now - prev <= window and now >= prev - window then
    id = v[1]
    count = tonumber(v[2]) + 1
    total = tonumber(v[3]) + amount
    if prev > now then last = prev end
  end
end
redis.call('HSET', KEYS[1], 'id', id, 'count', count, 'total', total, 'last', last)
redis.call('PEXPIRE', KEYS[1], window + 60000)
return {id, count, total}
`;

/** Combos in Redis: one script per gift, so two nodes delivering gifts of one pair count each once. */
export class RedisGiftComboCounter implements GiftComboCounter {
  private readonly run;
  constructor(redis: Redis, private readonly prefix: string) {
    this.run = defineScript(redis, 'tcGiftCombo', 1, COMBO_LUA);
  }
  async record(input: GiftComboInput): Promise<ComboStep> {
    const reply = await this.run([`${this.prefix}combo:${pairKey(input.senderId, input.recipientId)}`], [input.at.getTime(), input.windowMs, input.amount, input.giftId]);
    if (!Array.isArray(reply) || reply.length < 3) throw new Error('Unexpected gift combo script reply');
    return { id: String(reply[0]), count: Number(reply[1]), total: Number(reply[2]) };
  }
}
