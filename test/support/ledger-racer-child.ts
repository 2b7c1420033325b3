import { pino } from 'pino';
import { openBackend } from '../../server/stores/backend.js';
import { createLedgerStore } from '../../server/stores/ledger.js';
import type { JournalEntry } from '../../server/ledger/ports.js';

/**
 * A second process posting to the same ledger (test/support/ledger-racers.ts starts it): it opens
 * its own backend from argv (a SQLite data dir, or a MongoDB URL), answers 'ready', then posts each
 * batch it is sent as soon as it arrives and replies with the outcomes (or the error message).
 */
interface Request {
  id: number;
  entries: Array<Omit<JournalEntry, 'createdAt'> & { createdAt: string }>;
}

const [dataDir, mongoUrl] = process.argv.slice(2);
const backend = await openBackend({ dataDir: dataDir!, mongoUrl: mongoUrl || undefined }, pino({ level: 'silent' }));
const store = await createLedgerStore(backend);
process.on('message', (raw) => {
  const req = raw as Request;
  const entries = req.entries.map((e) => ({ ...e, createdAt: new Date(e.createdAt) }));
  store.post(entries).then(
    (outcomes) => process.send?.({ id: req.id, outcomes }),
    (err: unknown) => process.send?.({ id: req.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
process.on('disconnect', () => {
  void backend.close().finally(() => process.exit(0));
});
process.send?.('ready');
