import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config/env.js';

describe('loadConfig', () => {
  it('runs the embedded default with nothing set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, dataDir: './data', mongoUrl: undefined, redisUrl: undefined, economyPreset: 'current', economyEnabled: true });
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'abc', REDIS_URL: 'not a url', ECONOMY_PRESET: 'cheap' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'abc', REDIS_URL: 'not a url', ECONOMY_PRESET: 'cheap' });
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain('PORT');
      expect(msg).toContain('REDIS_URL');
      expect(msg).toContain('ECONOMY_PRESET');
    }
  });

  it('refuses a short JWT secret', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ MONGO_URL: '', PORT: '' }).mongoUrl).toBeUndefined();
  });
});
