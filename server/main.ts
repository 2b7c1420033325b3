import { ConfigError, loadConfig } from './config/env.js';
import { EconomyConfigHolder } from './economy/config/holder.js';
import { createLogger } from './lib/logger.js';
import { startApp } from './app.js';

/**
 * `npm start`: one node. With nothing configured it runs the embedded default (SQLite under
 * ./data, in-process counters and Socket.IO adapter); MONGO_URL and REDIS_URL switch to the
 * production backends.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  try {
    // Validated here too so that a bad economy config is a config error (exit 78), like a bad env value.
    new EconomyConfigHolder({ preset: config.economyPreset, overridesFile: config.economyOverridesFile });
  } catch (err) {
    console.error(`Invalid economy config (ECONOMY_PRESET=${config.economyPreset}, ECONOMY_OVERRIDES_FILE=${config.economyOverridesFile ?? 'unset'}):\n${err instanceof Error ? err.message : String(err)}`);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger(config.logLevel);
  const app = await startApp({ config, logger });
  const store = config.mongoUrl ? 'MongoDB' : `SQLite (${config.dataDir}/chat.sqlite)`;
  const counters = config.redisUrl ? 'Redis' : 'in-process';
  const fanout = config.redisUrl ? 'Socket.IO Redis streams adapter' : 'in-memory Socket.IO adapter';
  logger.info({ url: app.url, store, counters, fanout, economyPreset: config.economyPreset }, 'server listening');
  console.log(`Chat server listening on ${app.url}\n  store: ${store}\n  counters: ${counters}\n  fan-out: ${fanout}`);

  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'draining');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // Re-reads ECONOMY_OVERRIDES_FILE like POST /api/admin/economy/reload, on every node sharing
  // Redis; a bad file keeps the old config.
  process.on('SIGHUP', () => {
    app.ctx.reloadEconomy('SIGHUP');
  });
}

main().catch((err: unknown) => {
  console.error('Failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
