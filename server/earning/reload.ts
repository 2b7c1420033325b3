import type { EconomyConfigHolder } from '../economy/config/holder.js';
import { EconomyConfigError } from '../economy/config/load.js';
import type { Logger } from '../lib/logger.js';
import type { Redis } from 'ioredis';
import type { AppServer } from '../realtime/types.js';

export type EconomyReloadAnswer =
  | { ok: true; version: number }
  | { ok: false; version: number; message: string; issues: { path: string; message: string }[] };

/** What asked for a reload: an operator on this node, or another node passing one on. */
export type EconomyReloadTrigger = 'admin' | 'SIGHUP' | 'peer';

/**
 * Re-reads ECONOMY_OVERRIDES_FILE on this node only. A file that is missing, not JSON or invalid
 * leaves the active config as it was; the answer names what is wrong.
 */
export function reloadEconomy(economy: EconomyConfigHolder, logger: Logger, trigger: EconomyReloadTrigger): EconomyReloadAnswer {
  const result = economy.reload();
  if (result.ok) {
    logger.info({ version: result.version, trigger }, 'economy config reloaded');
    return { ok: true, version: result.version };
  }
  const issues = result.error instanceof EconomyConfigError ? result.error.issues : [];
  logger.warn({ err: result.error.message, version: result.version, trigger }, 'economy config reload refused; the active config is unchanged');
  return { ok: false, version: result.version, message: result.error.message, issues };
}

/** The node-to-node wiring of reloads: transport parts, held by server/app.ts only. */
export interface ReloadDeps {
  economy: EconomyConfigHolder;
  logger: Logger;
  io: AppServer;
  redis: Redis | null;
}

/** The operator's reload as features and main.ts see it (`ctx.reloadEconomy`). */
export type EconomyReloader = (trigger: 'admin' | 'SIGHUP') => EconomyReloadAnswer;

/**
 * The operator's reload (admin endpoint and SIGHUP): reloads this node and, when Redis is
 * configured, tells every other node sharing REDIS_PREFIX to reload too, so replicas behind a
 * load balancer never keep different configs. Each node re-reads its own ECONOMY_OVERRIDES_FILE
 * and decides alone; the answer is this node's. The notice goes out even when this node refused
 * its file: another node's file may be the valid one, and a shared bad file is refused everywhere.
 * Delivery is Redis pub/sub: a node that is down or cut off from Redis misses it (docs/scaling.md).
 */
export function reloadEconomyEverywhere(deps: ReloadDeps, trigger: 'admin' | 'SIGHUP'): EconomyReloadAnswer {
  const answer = reloadEconomy(deps.economy, deps.logger, trigger);
  if (!deps.redis) return answer;
  // The adapter publishes without handling a refusal, and with Redis away (no offline queue) that
  // would be an unhandled rejection: other nodes cannot be told now anyway, so say so instead.
  if (deps.redis.status !== 'ready') {
    deps.logger.warn({ trigger, redis: deps.redis.status }, 'economy config reloaded on this node only: Redis is unavailable, other nodes were not told');
    return answer;
  }
  deps.io.serverSideEmit('economy:reload', { trigger });
  return answer;
}

/**
 * Makes this node follow the reloads of the others (once per app, in server/app.ts). A peer's
 * notice reloads here and is not passed on: serverSideEmit already reaches every node.
 */
export function followPeerReloads(deps: ReloadDeps): void {
  if (!deps.redis) return;
  deps.io.on('economy:reload', (notice) => {
    deps.logger.info({ origin: notice.trigger }, 'economy config reload requested by another node');
    reloadEconomy(deps.economy, deps.logger, 'peer');
  });
}
