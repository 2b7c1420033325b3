import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config/env.js';
import { EconomyConfigHolder } from '../economy/config/holder.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import { createLogger } from '../lib/logger.js';
import { cliFailure, openExistingBackend } from './existing-backend.js';
import { createStores } from '../stores/create-stores.js';
import { createLedgerService } from '../ledger/ledger-service.js';
import { runDecay, type DecayReport } from '../abuse/decay.js';

/**
 * `npm run economy:decay`: posts this ISO week's decay entries for inactive users on the backend
 * the environment selects, with the economy config's `decay` section (ECONOMY_PRESET,
 * ECONOMY_OVERRIDES_FILE). Prints the report as JSON. Idempotent: a second run in the same week
 * posts nothing. Does nothing while `decay.enabled` is false (the default). It has no sockets, so
 * connected users are not pushed the new balance; `POST /api/admin/economy/decay` runs the same
 * job inside a server and pushes (docs/anti-abuse.md).
 */
export async function runDecayCli(env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): Promise<DecayReport> {
  const config = loadConfig(env);
  const economy = new EconomyConfigHolder({ preset: config.economyPreset, overridesFile: config.economyOverridesFile });
  const logger = createLogger('warn');
  const backend = await openExistingBackend(config, logger);
  try {
    const stores = await createStores(backend);
    const ledger = createLedgerService(stores.ledger.store, { clock, newId, logger });
    return await runDecay({ policy: economy.current.decay, ledger, users: stores.records.users, accounts: stores.ledger.reads.fundedAccounts, now: clock.now() });
  } finally {
    await backend.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  runDecayCli().then(
    (report) => {
      console.log(JSON.stringify(report, null, 2));
      process.exit(0);
    },
    (err: unknown) => {
      const failure = cliFailure('economy:decay', err, 2);
      console.error(failure.message);
      process.exit(failure.code);
    },
  );
}
