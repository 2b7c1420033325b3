import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisCapCounter } from '../../server/caps/index.js';
import { SqliteCapCounter } from '../../server/stores/sqlite/counters.js';
import { startTestServer } from '../support/server.js';

const dir = mkdtempSync(join(tmpdir(), 'tc-economy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('economy and counters on the app context', () => {
  it('embedded default: counters in the SQLite file (they survive a restart) and the current preset', async () => {
    const server = await startTestServer();
    try {
      expect(server.ctx.counters.caps).toBeInstanceOf(SqliteCapCounter);
      expect(server.ctx.economy.current.preset).toBe('current');
    } finally {
      await server.stop();
    }
  });

  it('with Redis: Redis counters under the prefix; preset and overrides file from the environment', async () => {
    const file = join(dir, 'economy.json');
    writeFileSync(file, JSON.stringify({ caps: { dailyTotalTokens: 900 } }));
    const server = await startTestServer({ redis: true, env: { ECONOMY_PRESET: 'recommended', ECONOMY_OVERRIDES_FILE: file } });
    try {
      expect(server.ctx.counters.caps).toBeInstanceOf(RedisCapCounter);
      const caps = server.ctx.counters.caps as RedisCapCounter;
      expect(caps.keys('u', '2026-01-07', '2026-W02')[0]).toBe(`${server.ctx.config.redisPrefix}cap:{u}:d:2026-01-07`);
      expect(server.ctx.economy.current.preset).toBe('recommended');
      expect(server.ctx.economy.current.caps.dailyTotalTokens).toBe(900);
      writeFileSync(file, JSON.stringify({ caps: { dailyTotalTokens: 1000 } }));
      expect(server.ctx.economy.reload().ok).toBe(true);
      expect(server.ctx.economy.current.caps.dailyTotalTokens).toBe(1000);
    } finally {
      await server.stop();
    }
  });

  it('an invalid overrides file stops the start, naming the path', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ gifts: { maxPerDay: 0 } }));
    await expect(startTestServer({ dataDir: dir, env: { ECONOMY_OVERRIDES_FILE: file } })).rejects.toThrow(/gifts\.maxPerDay/);
  });
});
