import { pino } from 'pino';
import { openBackend } from '../../server/stores/backend.js';
import type { RacedStore } from './store-racer.js';

/**
 * A second process calling the same stores on the same data (test/support/store-racer.ts starts
 * it): it opens its own backend from argv (a SQLite data dir, or a MongoDB URL), answers 'ready',
 * then runs each call it is sent as soon as it arrives and replies with the result (or the error's
 * name and message). Messages use the 'advanced' serialization, so dates cross intact.
 */
interface Call {
  id: number;
  store: RacedStore;
  method: string;
  args: unknown[];
}

const [dataDir, mongoUrl] = process.argv.slice(2);
const backend = await openBackend({ dataDir: dataDir!, mongoUrl: mongoUrl || undefined }, pino({ level: 'silent' }));
// Loaded on first use: a child racing the ledger should not pay for importing every store.
const records = async () => (await import('../../server/stores/records.js')).createRecordStores(backend);
let recordStores: ReturnType<typeof records> | undefined;
const record = async <K extends 'users' | 'rooms' | 'messages' | 'files' | 'notifications'>(key: K) => (await (recordStores ??= records()))[key];
const builders: Record<RacedStore, () => Promise<object>> = {
  // With the entry companions, as createStores builds it: a raced market sale moves its item.
  ledger: async () => {
    const [{ createLedgerStore }, { createEntryCompanions }] = await Promise.all([import('../../server/stores/ledger.js'), import('../../server/stores/entry-companions.js')]);
    return createLedgerStore(backend, { companions: await createEntryCompanions(backend) });
  },
  engagement: async () => (await import('../../server/stores/engagement.js')).createEngagementStore(backend),
  purchases: async () => (await import('../../server/stores/purchases.js')).createPurchaseStore(backend),
  penalties: async () => (await import('../../server/stores/penalties.js')).createPenaltyStore(backend),
  adminAudit: async () => (await import('../../server/stores/admin-audit.js')).createAdminAuditStore(backend),
  // Issue 13 (seasons and goals)
  seasons: async () => (await import('../../server/stores/seasons.js')).createSeasonStore(backend),
  goals: async () => (await import('../../server/stores/goals.js')).createGoalStore(backend),
  users: () => record('users'),
  rooms: () => record('rooms'),
  messages: () => record('messages'),
  files: () => record('files'),
  notifications: () => record('notifications'),
  // Issue 13 (market)
  market: async () => (await import('../../server/stores/market.js')).createMarketStore(backend),
};
const built = new Map<RacedStore, Promise<object>>();
const storeOf = (name: RacedStore): Promise<object> => {
  let store = built.get(name);
  if (!store) built.set(name, (store = builders[name]()));
  return store;
};

process.on('message', (raw) => {
  const call = raw as Call;
  void (async () => {
    try {
      const store = (await storeOf(call.store)) as Record<string, (...a: unknown[]) => unknown>;
      const fn = store[call.method];
      if (typeof fn !== 'function') throw new Error(`${call.store} has no method ${call.method}`);
      process.send?.({ id: call.id, result: await fn.apply(store, call.args) });
    } catch (err) {
      process.send?.({ id: call.id, error: { name: err instanceof Error ? err.name : 'Error', message: err instanceof Error ? err.message : String(err) } });
    }
  })();
});
process.on('disconnect', () => {
  void backend.close().finally(() => process.exit(0));
});
process.send?.('ready');
