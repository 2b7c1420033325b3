import { ReplyError, type Redis } from 'ioredis';
import { CapsUnavailableError } from './errors.js';

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Registers `lua` once per client under `name` (ioredis `defineCommand`: EVALSHA with an EVAL
 * fallback) and returns a caller. Any failure other than a script error becomes
 * CapsUnavailableError, so callers handle one typed infrastructure error.
 */
export function defineScript(redis: Redis, name: string, numberOfKeys: number, lua: string): (keys: string[], args: (string | number)[]) => Promise<unknown> {
  const holder = redis as unknown as Record<string, ScriptFn | undefined>;
  if (typeof holder[name] !== 'function') redis.defineCommand(name, { numberOfKeys, lua });
  return async (keys, args) => {
    const fn = holder[name];
    if (typeof fn !== 'function') throw new Error(`Redis script ${name} is not defined`);
    try {
      return await fn.call(redis, ...keys, ...args);
    } catch (err) {
      if (err instanceof ReplyError && !/LOADING|BUSY|MASTERDOWN|READONLY/.test(String((err as Error).message))) throw err;
      throw new CapsUnavailableError(`Counter store unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
}

/** Script replies are arrays of integers; this reads one defensively. */
export function replyInts(reply: unknown, length: number): number[] {
  if (!Array.isArray(reply) || reply.length < length) throw new Error('Unexpected counter script reply');
  return reply.slice(0, length).map((v) => Number(v));
}
