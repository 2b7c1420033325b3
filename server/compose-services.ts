import type { Redis } from 'ioredis';
import type { AppConfig } from './config/env.js';
import type { AppContext } from './context.js';
import type { Clock } from './lib/clock.js';
import type { IdGenerator } from './lib/ids.js';
import type { Logger } from './lib/logger.js';
import type { TokenService } from './auth/jwt.js';
import { createAuthenticate } from './auth/authenticate.js';
import type { SessionRevocations } from './auth/sessions.js';
import type { Counters } from './caps/index.js';
import type { EconomyConfigHolder } from './economy/config/holder.js';
import type { BalanceNotifier } from './earning/balance-notifier.js';
import type { EconomyReloader } from './earning/reload.js';
import { createAwardService } from './earning/award-service.js';
import { createAbuse } from './abuse/index.js';
import { liftedAtFrom } from './admin/lifts.js';
import { AdminService } from './admin/service.js';
import { loginStreakSource } from './engagement/daily-claim.js';
import { EngagementService, observeAwards } from './engagement/service.js';
import { ledgerTierSource, tierRoomPolicy, tierUploadLimits } from './engagement/tier-benefits.js';
import { createUploadLimits, type TierUploadLimits } from './files/limits.js';
import { memoryQuotaHolds, redisQuotaHolds } from './files/quota-holds.js';
import { FileService } from './files/service.js';
import { createGiftReceipts } from './gifts/receipts.js';
import { GiftService } from './gifts/gift-service.js';
import { createLedgerService, type LedgerServiceOptions } from './ledger/ledger-service.js';
import { createRateLimits } from './limits/rate-limits.js';
import { MessageService } from './messages/service.js';
import { meterAwards, startSupplyRefresher, type AppMetrics } from './metrics/index.js';
import { createPinGuard, type PinGuardState } from './pin/pin-guard.js';
import type { Broadcaster } from './realtime/broadcaster.js';
import { createPresenceTracker } from './realtime/presence.js';
import { createThrottle } from './realtime/throttle.js';
import { RoomService, type RoomCreationPolicy } from './rooms/service.js';
import { createShopPerks } from './shop/perks.js';
import { ShopService } from './shop/shop-service.js';
import type { Stores } from './stores/create-stores.js';
import { ProfileService } from './users/profile-service.js';
import { createUserSummaryResolver } from './users/summaries.js';
// Issue 13
import { buildMarketService, marketEscrow } from './market/build.js';
import { createSeasonEventSource } from './seasons/season-events.js';
import { SeasonService } from './seasons/season-service.js';
import { GoalService } from './goals/goal-service.js';
import { ShopCatalogue } from './shop/catalogue.js';
import type { CatalogueChanges } from './shop/catalogue-changes.js';
import type { StandingChanges } from './abuse/standing-changes.js';
import { purchaseStreakFreezes } from './shop/streak-freeze.js';

/**
 * The explicit parts one node's services are built from (issue 15). server/app.ts builds them from
 * the environment (stores from the backend, Redis from REDIS_URL, the broadcaster over its
 * Socket.IO server); a test or the simulation (sim/world.ts) can build them itself and call
 * `composeServices` without HTTP or sockets.
 */
export interface ServiceParts {
  config: AppConfig;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
  metrics: AppMetrics;
  economy: EconomyConfigHolder;
  tokens: TokenService;
  /** Every persistence port (server/stores/create-stores.ts). */
  stores: Stores;
  /** Shared counters and caches across nodes when REDIS_URL is set; null keeps them in process (or in the SQLite file). */
  redis: Redis | null;
  /** Caps, PIN lockouts and budgets (`createCounters(redis, prefix, stores.embedded?.counters)`). */
  counters: Counters;
  /** Logouts and password changes (Redis, the SQLite file, or in process). */
  sessions: SessionRevocations;
  /** How services reach clients (server/realtime/broadcaster.ts). */
  broadcast: Broadcaster;
  /** Pushes `tokens:balance` / `tier:changed` after ledger posts (server/earning/balance-notifier.ts). */
  notifier: BalanceNotifier;
  /** The operator's reload on every node (needs the transport: server/earning/reload.ts). */
  reloadEconomy: EconomyReloader;
  /** Tells the other nodes the shop catalogue changed (their cached effects: server/shop/catalogue-changes.ts). */
  catalogueChanges: CatalogueChanges;
  /** Tells the other nodes a user's penalty standing changed (their cached standings: server/abuse/standing-changes.ts). */
  standingChanges: StandingChanges;
  /** The PIN guard's queue and remembered checks, when the caller sets them (the simulation remembers checks longer); fresh otherwise. */
  pinState?: PinGuardState;
  /** Ledger batching and its metrics observer. */
  ledgerOptions?: LedgerServiceOptions;
  /** How often the supply gauges re-read the balances; METRICS_SUPPLY_REFRESH_MS by default. */
  supplyRefreshMs?: number;
  /**
   * Replacements for a test or the simulation; each defaults to the real rule, so leaving one out
   * never switches a check off.
   */
  replace?: {
    /** Tier size and quota limits on uploads (default: the economy's tiers and shop perks). */
    uploadTierLimits?: TierUploadLimits;
    /** Who may create which room (default: tier rooms_max and private rooms). */
    roomCreationPolicy?: RoomCreationPolicy;
  };
}

/**
 * Builds every service of one node in dependency order, each with exactly the dependencies it
 * uses, and returns the context features receive. Nothing is wired after construction: the award
 * pipeline gets its anti-abuse gate and streak source, summaries their tier and profile sources,
 * uploads and room creation their tier rules, all as constructor arguments.
 */
export function composeServices(parts: ServiceParts): AppContext {
  const { config, clock, newId, logger, metrics, economy, tokens, stores, redis, counters, sessions, broadcast, notifier } = parts;
  const records = stores.records;
  const ledger = createLedgerService(stores.ledger.store, { clock, newId, logger }, parts.ledgerOptions ?? {});
  const authenticate = createAuthenticate(tokens, records.users, sessions, clock);

  // Issue 13: items read through the store, effects cached per node and dropped on every node when
  // an admin changes the catalogue. Built first: what a purchase does (perks, cosmetics, pins...) is the catalogue's answer.
  const shopCatalogue = new ShopCatalogue({ store: stores.shopCatalogue, audit: stores.adminAudit, economy, ledger, broadcast, clock, newId, changes: parts.catalogueChanges });
  // Tiers (ledger balance + economy config), extended by active shop purchases.
  const purchases = stores.purchases;
  const perks = createShopPerks({ purchases, clock, effects: shopCatalogue });
  const tiers = { ledger, economy, perks };
  // Issue 13 (market): listed items are in escrow (not equippable), so profiles read the listings.
  const profiles = new ProfileService({ store: stores.profiles, purchases, clock, effects: shopCatalogue, escrow: marketEscrow(stores.market, clock) });
  const userSummaries = createUserSummaryResolver(records.users, { tiers: ledgerTierSource(tiers), profiles: profiles.summaries });

  // Chat.
  const chatDeps = { config, clock, newId, stores: records, broadcast, summaries: userSummaries };
  const roomService = new RoomService({ ...chatDeps, creationPolicy: parts.replace?.roomCreationPolicy ?? tierRoomPolicy({ ...tiers, rooms: records.rooms }) });
  const uploadLimits = createUploadLimits(config, records.files, {
    clock,
    newId,
    holds: redis ? redisQuotaHolds(redis, config.redisPrefix) : memoryQuotaHolds(),
    tierLimits: parts.replace?.uploadTierLimits ?? tierUploadLimits(tiers),
  });

  // Economy: anti-abuse first (the award pipeline's gate), then awards, then engagement (which pays through awards).
  const abuse = createAbuse({
    config, penalties: stores.penalties, fundedAccounts: stores.ledger.reads.fundedAccounts, redis, stores: records, ledger, notifier, economy, broadcast, clock, newId, logger,
    liftedAt: liftedAtFrom(stores.adminAudit),
    standingChanges: parts.standingChanges,
  });
  // Issue 13 (seasons): running seasons lend their multiplier to every award.
  const seasonEvents = createSeasonEventSource(stores.seasons, clock);
  const awards = createAwardService({ config, economy, caps: counters.caps, ledger, notifier, clock, logger, gate: abuse.gate, streaks: loginStreakSource(stores.engagement), events: seasonEvents });
  const engagement = new EngagementService({
    store: stores.engagement, stores: records, ledger, awards, notifier, economy, broadcast, clock, newId, logger,
    // Issue 13: the daily claim uses up a streak freeze for one missed day.
    freezes: purchaseStreakFreezes(purchases, shopCatalogue),
  });
  // Issue 13 (goals): room goals count messages, file shares and gifts through an observer.
  const goals = new GoalService({ store: stores.goals, rooms: records.rooms, budgets: counters.budgets, ledger, gate: awards, notifier, broadcast, summaries: userSummaries, economy, clock, newId, logger });
  const messageService = new MessageService({ ...chatDeps, roomActivity: goals });
  const fileService = new FileService({ ...chatDeps, roomActivity: goals, dataDir: config.dataDir, limits: uploadLimits });

  const core = {
    config, clock, newId, logger, tokens, authenticate, stores: records, broadcast,
    userSummaries, roomService, messageService, fileService, ledger,
    economy, counters,
    balanceNotifier: notifier, awards: meterAwards(observeAwards(awards, engagement), metrics), engagement,
    abuse,
    // Operators (issue 12)
    admin: new AdminService({ stores: records, ledger, audit: stores.adminAudit, abuse, notifier, economy, clock, newId, logger }),
    metrics,
    supply: startSupplyRefresher({ metrics, source: stores.ledger.reads.supply, intervalMs: parts.supplyRefreshMs ?? config.metricsSupplyRefreshMs, now: () => clock.now(), logger }),
    purchases,
    shopCatalogue,
    profiles,
    rateLimits: createRateLimits(config.rateLimits, redis, config.redisPrefix),
    sessions,
    presence: createPresenceTracker(redis, { prefix: config.redisPrefix, ttlSeconds: config.presenceTtlSeconds, logger }),
    reloadEconomy: parts.reloadEconomy,
    throttle: createThrottle(redis, config.redisPrefix, logger),
  };
  // One PIN guard per node (issue 16): gifts, the shop, the market and the PIN route share its
  // per-user check queue and its remembered verifications.
  const pins = createPinGuard(core, parts.pinState);
  const market = buildMarketService({ store: stores.market, purchases, ledger, stores: records, counters, economy, catalogue: shopCatalogue, profiles, broadcast, notifier, clock, newId, logger, pins });
  return {
    ...core,
    pins,
    gifts: new GiftService(core, pins, createGiftReceipts(redis, config.redisPrefix), goals),
    shop: new ShopService(core, pins, shopCatalogue, market),
    // Issue 13
    market,
    goals,
    seasons: new SeasonService({ store: stores.seasons, ledger, users: records.users, gate: awards, notifier, economy, events: seasonEvents, clock, newId, logger }),
  };
}
