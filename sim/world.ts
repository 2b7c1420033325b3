import { singleNodeStandingChanges } from '../server/abuse/standing-changes.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Server } from 'socket.io';
import { loadConfig } from '../server/config/env.js';
import { socketBroadcaster } from '../server/realtime/broadcaster.js';
import type { AppContext } from '../server/context.js';
import { ManualClock } from '../server/lib/clock.js';
import { monotonicFactory } from 'ulid';
import type { IdGenerator } from '../server/lib/ids.js';
import { createTokenService } from '../server/auth/jwt.js';
import { openBackend, type Backend } from '../server/stores/backend.js';
import { createStores } from '../server/stores/create-stores.js';
import { composeServices } from '../server/compose-services.js';
import { reloadEconomy } from '../server/earning/reload.js';
import { singleNodeCatalogueChanges } from '../server/shop/catalogue-changes.js';
import { EconomyConfigHolder } from '../server/economy/config/holder.js';
import type { EconomyPreset } from '../server/economy/config/schema.js';
import { createCounters } from '../server/caps/index.js';
import { memorySessionRevocations } from '../server/auth/sessions.js';
import { createBalanceNotifier } from '../server/earning/balance-notifier.js';
import type { ShopService } from '../server/shop/shop-service.js';
import type { GiftService } from '../server/gifts/gift-service.js';
import { createPinGuardState } from '../server/pin/pin-guard.js';
import { PinVerifiedCache } from '../server/pin/verified-cache.js';
import type { AppServer } from '../server/realtime/types.js';
import type { Rng } from './prng.js';
import { createMetrics } from '../server/metrics/index.js';

/** Which economy config the world runs: a built-in preset, or a JSON overrides file on top of one. */
export interface EconomyChoice {
  preset: EconomyPreset;
  overridesFile?: string;
}

/**
 * The project's real services, wired as server/app.ts wires them but with no HTTP listener and
 * no Socket.IO port: the Socket.IO server exists (the services emit to rooms through it), is
 * attached to nothing and has no client, so it holds nothing to close. Everything runs on a temporary SQLite file, in-process counters, and a
 * ManualClock the simulation moves.
 */
export interface SimWorld {
  ctx: AppContext;
  clock: ManualClock;
  gifts: GiftService;
  shop: ShopService;
  /** Flushes the ledger batch, closes the store and removes the temporary directory. */
  close(): Promise<void>;
}

/** Ledger batch window of the simulation: the whole population acts at once, so batches fill in far less than the server's 5 ms. */
const SIM_LEDGER_BATCH_WINDOW_MS = 1;

/**
 * A PIN check stays remembered for the whole run: the simulated clock jumps days at a time, and
 * re-running scrypt (tens of ms of CPU) for every simulated session would cost minutes without
 * changing any token figure. Wrong PINs would still go to scrypt; the simulation sends none.
 */
const SIM_PIN_VERIFIED_TTL_MS = 365 * 24 * 3600 * 1000;

/**
 * Where the temporary SQLite file goes: a memory-backed folder when the machine has one. The run
 * writes hundreds of thousands of small transactions that nobody needs after it; on a disk each
 * commit's WAL write costs more than the rule being measured.
 */
function scratchDir(): string {
  return mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'tc-sim-'));
}

/**
 * ULIDs (the server's id format) from the simulated clock and the seeded generator: ids sort by
 * simulated time and are the same on every run with the same seed.
 */
function simIds(clock: ManualClock, rng: Rng): IdGenerator {
  const ulid = monotonicFactory(() => rng.next());
  return () => ulid(clock.now().getTime());
}

/**
 * The run's database is thrown away at its end, so the simulation trades what only a kept
 * database needs for speed (each write costs about 40% less; the message insert less than half):
 * - durability: the rollback journal in memory, no sync, one connection holding its lock for the
 *   whole run (no WAL file, no lock calls per transaction). Transactions stay atomic: a failed
 *   one still rolls back whole, which is all the services rely on.
 * - the message search index: nothing searches in a simulation and no token figure reads it,
 *   yet feeding it cost more than storing the message. Messages are still stored (the
 *   achievements count them) by the real message service; only the trigger that indexes a new
 *   message is dropped (an error here means the store renamed it: follow the rename).
 */
function asThrowawayDatabase(backend: Backend): void {
  if (backend.kind !== 'sqlite') return;
  backend.db.pragma('journal_mode = MEMORY');
  backend.db.pragma('locking_mode = EXCLUSIVE');
  backend.db.pragma('synchronous = OFF');
  backend.db.exec('DROP TRIGGER messages_fts_ai');
}

export async function createSimWorld(economyChoice: EconomyChoice, start: Date, rng: Rng): Promise<SimWorld> {
  const dataDir = scratchDir();
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', JWT_SECRET: 'simulation-secret-simulation-secret-0123' });
  const logger = pino({ level: 'silent' });
  const clock = new ManualClock(start);
  const newId = simIds(clock, rng);
  const economy = new EconomyConfigHolder({ preset: economyChoice.preset, overridesFile: economyChoice.overridesFile });
  const tokens = createTokenService(config.jwtSecret!, config.jwtTtlSeconds, () => clock.now());
  const backend = await openBackend(config, logger);
  const stores = await createStores(backend);
  asThrowawayDatabase(backend);
  const io: AppServer = new Server();
  const ctx: AppContext = composeServices({
    config, clock, newId, logger, metrics: createMetrics(), economy, tokens, stores,
    redis: null,
    // In-process counters and sessions: nothing of them needs to outlive the run.
    counters: createCounters(null, config.redisPrefix),
    sessions: memorySessionRevocations(),
    broadcast: socketBroadcaster(io),
    notifier: createBalanceNotifier({ broadcast: socketBroadcaster(io), economy, logger }),
    // One node: a reload is this node's.
    reloadEconomy: (trigger) => reloadEconomy(economy, logger, trigger),
    catalogueChanges: singleNodeCatalogueChanges,
    standingChanges: singleNodeStandingChanges,
    ledgerOptions: { batchWindowMs: SIM_LEDGER_BATCH_WINDOW_MS },
    // The supply gauges read only, once an hour of real time; the simulation does not scrape them.
    supplyRefreshMs: 3_600_000,
    // The tier-based room limits are left out: the simulation's rooms are scenery created by a
    // host account before the run, not an activity of the population.
    replace: { roomCreationPolicy: async () => undefined },
    pinState: createPinGuardState(new PinVerifiedCache(SIM_PIN_VERIFIED_TTL_MS)),
  });
  const ledger = ctx.ledger;
  return {
    ctx, clock, gifts: ctx.gifts, shop: ctx.shop,
    async close() {
      ctx.supply.stop();
      await ledger.flush();
      await stores.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
