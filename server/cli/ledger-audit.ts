import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../config/env.js';
import { createLogger } from '../lib/logger.js';
import { openBackend } from '../stores/backend.js';
import { createLedgerStore } from '../stores/ledger.js';
import type { AuditReport } from '../ledger/ports.js';

/**
 * `npm run ledger:audit`: recomputes every balance from the journal on the backend the
 * environment selects (MONGO_URL, else the SQLite file under DATA_DIR), prints the report as
 * JSON on stdout, and exits 1 when any invariant is violated. Safe to run beside a live server:
 * it only reads, inside one read transaction.
 */
export async function runLedgerAudit(env: NodeJS.ProcessEnv = process.env): Promise<AuditReport> {
  const config = loadConfig(env);
  const backend = await openBackend(config, createLogger('warn'));
  try {
    const store = await createLedgerStore(backend);
    return await store.audit();
  } finally {
    await backend.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  runLedgerAudit().then(
    (report) => {
      console.log(JSON.stringify(report, null, 2));
      process.exit(report.ok ? 0 : 1);
    },
    (err: unknown) => {
      console.error(err instanceof ConfigError ? err.message : `ledger:audit failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(err instanceof ConfigError ? 78 : 2);
    },
  );
}
