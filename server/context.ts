import type { AppConfig } from './config/env.js';
import type { Clock } from './lib/clock.js';
import type { IdGenerator } from './lib/ids.js';
import type { Logger } from './lib/logger.js';
import type { TokenService } from './auth/jwt.js';
import type { Authenticate } from './auth/authenticate.js';
import type { RecordStores } from './stores/ports.js';
import type { Broadcaster } from './realtime/broadcaster.js';
import type { UserSummaryResolver } from './users/summaries.js';
import type { RoomService } from './rooms/service.js';
import type { MessageService } from './messages/service.js';
import type { FileService } from './files/service.js';
import type { LedgerService } from './ledger/ledger-service.js';
import type { EconomyConfigHolder } from './economy/config/holder.js';
import type { Counters } from './caps/index.js';
import type { BalanceNotifier } from './earning/balance-notifier.js';
import type { EngagementService } from './engagement/service.js';
import type { AwardService } from './earning/award-service.js';
import type { AbuseServices } from './abuse/index.js';
import type { PurchaseStore } from './shop/ports.js';
import type { PresenceTracker } from './realtime/presence.js';
import type { AppMetrics, SupplyRefresher } from './metrics/index.js';
import type { AdminService } from './admin/service.js';
import type { ProfileService } from './users/profile-service.js';
import type { RateLimits } from './limits/rate-limits.js';
import type { SessionRevocations } from './auth/sessions.js';
// Issue 13 (market)
import type { MarketService } from './market/service.js';
// Issue 13 (seasons and goals)
import type { SeasonService } from './seasons/season-service.js';
import type { GoalService } from './goals/goal-service.js';
// Issue 13 (h13a)
import type { ShopCatalogue } from './shop/catalogue.js';
import type { EconomyReloader } from './earning/reload.js';
import type { GiftService } from './gifts/gift-service.js';
import type { ShopService } from './shop/shop-service.js';
import type { PinGuard } from './pin/pin-guard.js';
import type { Throttle } from './realtime/throttle.js';

/**
 * The services and ports features use, built once per node by `composeServices`
 * (server/compose-services.ts) in dependency order. Features receive it whole (the `Feature`
 * interface) and take what they need; services receive only their own narrow deps. It holds no
 * raw database, Redis client or Socket.IO server: those stay in the transport layer (server/app.ts),
 * and services reach clients through `broadcast`.
 */
export interface AppContext {
  config: AppConfig;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
  tokens: TokenService;
  authenticate: Authenticate;
  /** Chat records (users, rooms, messages, files, notifications): `stores.records` of server/stores/create-stores.ts. */
  stores: RecordStores;
  /** Server->client events and channel membership for services (server/realtime/broadcaster.ts): use this, not `io`. */
  broadcast: Broadcaster;
  /** Author/member summaries with tiers, badges and profile fields. */
  userSummaries: UserSummaryResolver;
  roomService: RoomService;
  messageService: MessageService;
  /** Uploads, with per-tier size and quota limits (server/files/limits.ts). */
  fileService: FileService;
  /** The token ledger: every balance change goes through it (server/ledger/). */
  ledger: LedgerService;
  /** The active economy config (`economy.current`), reloadable with `economy.reload()` (server/economy/). */
  economy: EconomyConfigHolder;
  /** Caps, PIN lockouts and daily budgets: Redis when `redis` is set, in process otherwise (server/caps/). */
  counters: Counters;
  /** Pushes `tokens:balance` / `tier:changed` after a ledger post: call `posted(outcome)` after every post (server/earning/). */
  balanceNotifier: BalanceNotifier;
  /** The inline award pipeline: `awards.grant({ userId, activity, idempotencyKey })` (server/earning/award-service.ts). */
  awards: AwardService;
  /** Daily claim, streaks, referrals and achievements (server/engagement/); `ctx.awards` reports every grant to it. */
  engagement: EngagementService;
  /** Penalty ladder, award gate (suspensions, fake activity, accounts per IP) and its store (server/abuse/). */
  abuse: AbuseServices;
  /** Shop purchase records (server/shop/): the shop's perks and limit extensions read them. */
  purchases: PurchaseStore;
  /** Who is online on any node (issue 10, server/realtime/presence.ts): `presence` events and members' `online`. */
  presence: PresenceTracker;
  // Operators (issue 12)
  /** Admin tools: user search, balance adjustments, penalty and ban lifts, the audit log (server/admin/). */
  admin: AdminService;
  /** This node's Prometheus registry and metric handles (server/metrics/). */
  metrics: AppMetrics;
  /** The supply gauges' refresher: `await ctx.supply.refresh()` reads the cached balances now. */
  supply: SupplyRefresher;
  /** Profiles (issue 10, h10a): display name, bio, avatar, equipped cosmetics; the summary source of `userSummaries` (server/users/). */
  profiles: ProfileService;
  /** Rate limits (issue 9, server/limits/): applied by the transports, Redis-shared when configured. */
  rateLimits: RateLimits;
  /** Session ends before expiry: logout (one token) and password change (every older token) (server/auth/sessions.ts). */
  sessions: SessionRevocations;
  // Issue 13 (market)
  /** The trading marketplace: listings, escrow, sales as one ledger entry (server/market/, docs/market.md). */
  market: MarketService;
  // Issue 13 (seasons and goals)
  /** Seasons: admin-defined windows, seasonal leaderboards, close and rewards (server/seasons/). */
  seasons: SeasonService;
  /** Room goals: moderator-set targets that gifts, messages and files fill; the observer of those services (server/goals/). */
  goals: GoalService;
  // Issue 13 (h13a)
  /** The shop catalogue: config defaults plus the admin's runtime items, limited editions' stock and `shop:stock` (server/shop/catalogue.ts). */
  shopCatalogue: ShopCatalogue;
  /** The operator's economy reload on every node (admin route, SIGHUP; server/earning/reload.ts). */
  reloadEconomy: EconomyReloader;
  /** Gifts between users (server/gifts/), one per node: the socket event and the REST route share it. */
  gifts: GiftService;
  /** The shop (server/shop/), one per node. */
  shop: ShopService;
  /** The node's PIN guard (server/pin/): one per-user check queue and one set of remembered checks for gifts, the shop, the market and the PIN route. */
  pins: PinGuard;
  /** A per-key throttle shared across nodes when Redis is configured (typing notices). */
  throttle: Throttle;
}
