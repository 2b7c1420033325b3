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
import { createAuthenticate } from '../server/auth/authenticate.js';
import { openBackend } from '../server/stores/backend.js';
import { createStores } from '../server/stores/create-stores.js';
import { createLedgerService } from '../server/ledger/ledger-service.js';
import { EconomyConfigHolder } from '../server/economy/config/holder.js';
import type { EconomyPreset } from '../server/economy/config/schema.js';
import { createCounters } from '../server/caps/index.js';
import { createUserSummaryResolver } from '../server/users/summaries.js';
import { RoomService } from '../server/rooms/service.js';
import { MessageService } from '../server/messages/service.js';
import { FileService } from '../server/files/service.js';
import { createUploadLimits } from '../server/files/limits.js';
import { memoryQuotaHolds } from '../server/files/quota-holds.js';
import { createRateLimits } from '../server/limits/rate-limits.js';
import { memorySessionRevocations } from '../server/auth/sessions.js';
import { createBalanceNotifier } from '../server/earning/balance-notifier.js';
import { createAwardService } from '../server/earning/award-service.js';
import { EngagementService, observeAwards } from '../server/engagement/service.js';
import { createAbuse } from '../server/abuse/index.js';
import { ProfileService } from '../server/users/profile-service.js';
import { ShopService } from '../server/shop/shop-service.js';
import { GiftService } from '../server/gifts/gift-service.js';
import { createGiftReceipts } from '../server/gifts/receipts.js';
import { createPinGuard } from '../server/pin/pin-guard.js';
import { PinVerifiedCache } from '../server/pin/verified-cache.js';
import type { AppServer } from '../server/realtime/types.js';
import type { Rng } from './prng.js';
import { createPresenceTracker } from '../server/realtime/presence.js';
import { AdminService } from '../server/admin/service.js';
import { createMetrics, startSupplyRefresher } from '../server/metrics/index.js';

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

export async function createSimWorld(economyChoice: EconomyChoice, start: Date, rng: Rng): Promise<SimWorld> {
  const dataDir = scratchDir();
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', JWT_SECRET: 'simulation-secret-simulation-secret-0123' });
  const logger = pino({ level: 'silent' });
  const clock = new ManualClock(start);
  const newId = simIds(clock, rng);
  const economy = new EconomyConfigHolder({ preset: economyChoice.preset, overridesFile: economyChoice.overridesFile });
  const tokens = createTokenService(config.jwtSecret!, config.jwtTtlSeconds, () => clock.now());
  const backend = await openBackend(config, logger);
  const ports = await createStores(backend);
  const stores = ports.records;
  const ledger = createLedgerService(ports.ledger.store, { clock, newId, logger }, { batchWindowMs: SIM_LEDGER_BATCH_WINDOW_MS });
  const io: AppServer = new Server();
  const metrics = createMetrics();
  const counters = createCounters(null, config.redisPrefix);
  const sessions = memorySessionRevocations();
  const userSummaries = createUserSummaryResolver(stores.users);
  const chatDeps = { config, clock, newId, stores, io, summaries: userSummaries };
  const balanceNotifier = createBalanceNotifier({ io, economy, logger });
  const awards = createAwardService({ config, economy, caps: counters.caps, ledger, notifier: balanceNotifier, clock, logger });
  const engagement = new EngagementService({
    store: ports.engagement, stores, ledger, awards, notifier: balanceNotifier, economy, io, clock, newId, logger,
  });
  const abuse = createAbuse({ config, penalties: ports.penalties, fundedAccounts: ports.ledger.reads.fundedAccounts, redis: null, stores, ledger, notifier: balanceNotifier, economy, io, clock, newId, logger });
  awards.setGate(abuse.gate);
  // The streak multiplier comes from the daily claims, as installEngagement plugs it in. The
  // tier-based room limits it also installs are left out: the simulation's rooms are scenery
  // created by a host account before the run, not an activity of the population.
  awards.setStreakSource(engagement.streakSource);
  const purchases = ports.purchases;
  const profiles = new ProfileService({ store: ports.profiles, purchases, clock });
  userSummaries.setProfileSource(profiles.summaries);
  const ctx: AppContext = {
    config, clock, newId, logger, tokens, authenticate: createAuthenticate(tokens, stores.users, sessions, clock), backend, stores, redis: null, io, broadcast: socketBroadcaster(io),
    userSummaries,
    roomService: new RoomService(chatDeps),
    messageService: new MessageService(chatDeps),
    fileService: new FileService({ ...chatDeps, dataDir, limits: createUploadLimits(config, stores.files, { clock, newId, holds: memoryQuotaHolds() }) }),
    ledger, economy, counters, balanceNotifier,
    awards: observeAwards(awards, engagement),
    engagement, abuse,
    purchases,
    // Profiles (issue 10): built like the server's, so summaries carry the same fields.
    profiles,
    // Built like the server's; the simulation calls services, not routes, so no request meets them.
    rateLimits: createRateLimits(config.rateLimits, null, config.redisPrefix),
    sessions,
    // Issue 10: the in-process tracker (no sockets connect in a simulation).
    presence: createPresenceTracker(null, { prefix: config.redisPrefix, ttlSeconds: config.presenceTtlSeconds, logger }),
    // Operators (issue 12): present because AppContext has them; the simulation neither scrapes
    // nor calls admin routes. The supply refresher reads only, once an hour of real time.
    admin: new AdminService({ stores, ledger, audit: ports.adminAudit, abuse, notifier: balanceNotifier, economy, clock, newId, logger }),
    metrics,
    supply: startSupplyRefresher({ metrics, source: ports.ledger.reads.supply, intervalMs: 3_600_000, now: () => clock.now(), logger }),
  };
  const pins = createPinGuard(ctx, new PinVerifiedCache(SIM_PIN_VERIFIED_TTL_MS));
  const gifts = new GiftService(ctx, pins, createGiftReceipts(null, config.redisPrefix));
  const shop = new ShopService(ctx, pins);
  return {
    ctx, clock, gifts, shop,
    async close() {
      ctx.supply.stop();
      await ledger.flush();
      await backend.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
