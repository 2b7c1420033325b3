import type { AdminAuditStore } from '../admin/ports.js';
import type { PenaltyStore } from '../abuse/ports.js';
import type { SessionRevocations } from '../auth/sessions.js';
import type { Counters } from '../caps/index.js';
import type { EngagementStore } from '../engagement/ports.js';
import type { LedgerFaults, LedgerStore } from '../ledger/ports.js';
import type { PurchaseStore } from '../shop/ports.js';
import type { ProfileStore } from '../users/profile-ports.js';
import type { MarketStore } from '../market/ports.js';
import type { SeasonStore } from '../seasons/ports.js';
import type { GoalStore } from '../goals/ports.js';
import type { ShopCatalogueStore } from '../shop/catalogue-ports.js';
import { createMarketStore } from './market.js';
import { createSeasonStore } from './seasons.js';
import { createGoalStore } from './goals.js';
import { createShopCatalogueStore } from './shop-catalogue.js';
import { createAdminAuditStore } from './admin-audit.js';
import type { Backend } from './backend.js';
import { createEngagementStore } from './engagement.js';
import { createEntryCompanions } from './entry-companions.js';
import { createLedgerStore } from './ledger.js';
import { createLedgerReads, type LedgerReads } from './ledger-reads.js';
import { createPenaltyStore } from './penalties.js';
import type { RecordStores } from './ports.js';
import { createProfileStore } from './profiles.js';
import { createPurchaseStore } from './purchases.js';
import { createRecordStores } from './records.js';
import { sqliteCounters } from './sqlite/counters.js';
import { sqliteSessionRevocations } from './sqlite/session-revocations.js';

/**
 * Every persistence port of the app, grouped by concern (issue 15): the one place a reader finds
 * what is stored and the one module that knows which adapter implements it. Features and services
 * receive these ports (or narrower parts of them); none imports `sqlite/` or `mongo/` itself.
 */
export interface Stores {
  /** Which backend the ports run on. */
  kind: Backend['kind'];
  /** Chat records: users, rooms, messages, files, notifications; `ping` for /readyz. */
  records: RecordStores;
  /** The token ledger: the journal and balances (`store`), and its listing reads (supply gauges, decay candidates). */
  ledger: { store: LedgerStore; reads: LedgerReads };
  /** Login streaks, unlocks, referral settlements, counters (server/engagement/). */
  engagement: EngagementStore;
  /** Anti-abuse: penalties, registrations per IP (server/abuse/). */
  penalties: PenaltyStore;
  /** Operators' audit log (server/admin/). */
  adminAudit: AdminAuditStore;
  /** Shop purchases (server/shop/). */
  purchases: PurchaseStore;
  /** Display names, bios, avatars, equipped cosmetics (server/users/). */
  profiles: ProfileStore;
  // Issue 13
  /** The admin's runtime shop items over the config's defaults (server/shop/catalogue.ts). */
  shopCatalogue: ShopCatalogueStore;
  /** Marketplace listings, sales and price history (server/market/). */
  market: MarketStore;
  /** Seasons and their archived standings (server/seasons/). */
  seasons: SeasonStore;
  /** Room goals and contributions (server/goals/). */
  goals: GoalStore;
  /**
   * What the embedded default also keeps in its file when no Redis is configured: the caps, PIN
   * lockout and budget counters, and session revocations. Null on MongoDB (Redis, or in process).
   */
  embedded: { counters: Counters; sessions: SessionRevocations } | null;
  /** Closes the backend (after the ledger has flushed). */
  close(): Promise<void>;
}

export interface CreateStoresOptions {
  /** Test-only ledger fault injection (server/ledger/ports.ts). */
  ledgerFaults?: LedgerFaults;
}

/**
 * Builds every port over the process's one backend. Each adapter applies its own schema (SQLite
 * DDL, MongoDB indexes) when built; the MongoDB adapters load only on MongoDB.
 */
export async function createStores(backend: Backend, opts: CreateStoresOptions = {}): Promise<Stores> {
  // In the order the schemas were first applied (records first).
  const records = await createRecordStores(backend);
  // The market's sale writes (item move, listing close) run inside the ledger's posting transaction.
  const companions = await createEntryCompanions(backend);
  const [ledger, reads, engagement, adminAudit, penalties, purchases, profiles] = await Promise.all([
    createLedgerStore(backend, { companions, ...(opts.ledgerFaults ? { faults: opts.ledgerFaults } : {}) }),
    createLedgerReads(backend),
    createEngagementStore(backend),
    createAdminAuditStore(backend),
    createPenaltyStore(backend),
    createPurchaseStore(backend),
    createProfileStore(backend),
  ]);
  const [shopCatalogue, market, seasons, goals] = await Promise.all([
    createShopCatalogueStore(backend),
    createMarketStore(backend),
    createSeasonStore(backend),
    createGoalStore(backend),
  ]);
  return {
    kind: backend.kind,
    records,
    ledger: { store: ledger, reads },
    engagement,
    penalties,
    adminAudit,
    purchases,
    profiles,
    shopCatalogue,
    market,
    seasons,
    goals,
    embedded: backend.kind === 'sqlite' ? { counters: sqliteCounters(backend.db), sessions: sqliteSessionRevocations(backend.db) } : null,
    close: () => backend.close(),
  };
}
