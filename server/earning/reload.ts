import type { EconomyConfigHolder } from '../economy/config/holder.js';
import { EconomyConfigError } from '../economy/config/load.js';
import type { Logger } from '../lib/logger.js';

export type EconomyReloadAnswer =
  | { ok: true; version: number }
  | { ok: false; version: number; message: string; issues: { path: string; message: string }[] };

/**
 * Re-reads ECONOMY_OVERRIDES_FILE (admin endpoint and SIGHUP). A file that is missing, not JSON or
 * invalid leaves the active config as it was; the answer names what is wrong.
 */
export function reloadEconomy(economy: EconomyConfigHolder, logger: Logger, trigger: 'admin' | 'SIGHUP'): EconomyReloadAnswer {
  const result = economy.reload();
  if (result.ok) {
    logger.info({ version: result.version, trigger }, 'economy config reloaded');
    return { ok: true, version: result.version };
  }
  const issues = result.error instanceof EconomyConfigError ? result.error.issues : [];
  logger.warn({ err: result.error.message, version: result.version, trigger }, 'economy config reload refused; the active config is unchanged');
  return { ok: false, version: result.version, message: result.error.message, issues };
}
