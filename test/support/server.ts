import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../server/config/env.js';
import { startApp, type RunningApp, type StartOptions } from '../../server/app.js';
import type { Clock } from '../../server/lib/clock.js';
import type { Logger } from '../../server/lib/logger.js';
import { HARNESS_RATE_LIMITS_ENV } from '../../server/limits/rate-limits.js';

export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface TestServer extends RunningApp {
  dataDir: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** Environment overrides, as the operator would set them. */
  env?: Record<string, string>;
  clock?: Clock;
  /** A logger of the test's own (e.g. writing to a stream the test reads). */
  logger?: Logger;
  /** Share another server's data directory (two nodes over one SQLite file). */
  dataDir?: string;
  /** Use real Redis with a fresh key prefix (or the given one, to share it with another node). */
  redis?: boolean | { prefix: string };
  /** Rules to build the app with instead of the real ones (server/compose-services.ts, ServiceParts['replace']). */
  replace?: StartOptions['replace'];
}

/** A fresh key prefix so tests sharing one Redis never see each other's keys. */
export function uniquePrefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

/**
 * Starts a real server on a random loopback port with its own temporary data directory
 * (SQLite, files, JWT secret), silent logs, and optionally real Redis.
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const ownsDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tc-test-'));
  const redisEnv: Record<string, string> = opts.redis
    ? { REDIS_URL, REDIS_PREFIX: typeof opts.redis === 'object' ? opts.redis.prefix : uniquePrefix() }
    : {};
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    // Rate limits out of the way of suites that are not about them (issue 9); those set their own.
    ...HARNESS_RATE_LIMITS_ENV,
    ...redisEnv,
    ...opts.env,
  });
  const app = await startApp({ config, ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.logger ? { logger: opts.logger } : {}), ...(opts.replace ? { replace: opts.replace } : {}) });
  return {
    ...app,
    dataDir,
    stop: async () => {
      await app.close();
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
