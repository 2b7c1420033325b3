import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config/env.js';
import { createLogger } from '../lib/logger.js';
import { cliFailure, openExistingBackend } from './existing-backend.js';
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
  const backend = await openExistingBackend(config, createLogger('warn'));
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
      const failure = cliFailure('ledger:audit', err, 2);
      console.error(failure.message);
      process.exit(failure.code);
    },
  );
}
