import type { AppContext } from '../context.js';
import type { Clock } from '../lib/clock.js';
import type { PinGuard } from '../pin/pin-guard.js';
import type { ProfileService } from '../users/profile-service.js';
import type { MarketStore } from './ports.js';
import { MarketService, type MarketDeps } from './service.js';

/** What the server (and the simulation) hand the market: narrow pieces, no whole context. */
export type MarketBuildDeps = Pick<MarketDeps, 'purchases' | 'ledger' | 'broadcast' | 'notifier' | 'clock' | 'newId' | 'logger' | 'catalogue'> &
  Pick<AppContext, 'stores' | 'counters' | 'economy'> & { store: MarketStore; profiles: Pick<ProfileService, 'get'>; pins: PinGuard };

/** The market service, with the node's PIN guard (shared with gifts and the shop). */
export function buildMarketService(d: MarketBuildDeps): MarketService {
  return new MarketService({
    store: d.store,
    purchases: d.purchases,
    ledger: d.ledger,
    users: d.stores.users,
    economy: d.economy,
    catalogue: d.catalogue,
    broadcast: d.broadcast,
    notifier: d.notifier,
    clock: d.clock,
    newId: d.newId,
    logger: d.logger,
    equippedItems: async (userId) => Object.values((await d.profiles.get(userId)).equipped),
    pins: d.pins,
  });
}

/** The escrow port profiles read (server/users/profile-service.ts): purchases listed now cannot be equipped. */
export function marketEscrow(store: Pick<MarketStore, 'openPurchaseIds'>, clock: Pick<Clock, 'now'>): { listedPurchaseIds(ids: readonly string[]): Promise<Set<string>> } {
  return { listedPurchaseIds: (ids) => store.openPurchaseIds(ids, clock.now()) };
}
