import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { EconomyConfigHolder } from '../../server/economy/config/holder.js';
import { reloadEconomyEverywhere } from '../../server/earning/reload.js';
import type { AppServer } from '../../server/realtime/types.js';

/** A node's reload deps with a recording io and a Redis client in the given state. */
function deps(redisStatus: string | null) {
  const emitted: unknown[][] = [];
  const io = { serverSideEmit: (...args: unknown[]) => emitted.push(args) } as unknown as AppServer;
  const redis = redisStatus === null ? null : ({ status: redisStatus } as unknown as Redis);
  const economy = new EconomyConfigHolder({ preset: 'current', overridesFile: 'o.json', readFile: () => '{}' });
  return { d: { economy, logger: pino({ level: 'silent' }), io, redis }, emitted };
}

describe('reloadEconomyEverywhere', () => {
  it('reloads this node and tells the others when Redis is ready', () => {
    const { d, emitted } = deps('ready');
    expect(reloadEconomyEverywhere(d, 'admin')).toEqual({ ok: true, version: 2 });
    expect(emitted).toEqual([['economy:reload', { trigger: 'admin' }]]);
  });

  it('reloads this node alone without Redis, or while Redis is away (no publish that would reject unhandled)', () => {
    for (const status of [null, 'reconnecting', 'end']) {
      const { d, emitted } = deps(status);
      expect(reloadEconomyEverywhere(d, 'SIGHUP')).toEqual({ ok: true, version: 2 });
      expect(emitted).toEqual([]);
    }
  });
});
