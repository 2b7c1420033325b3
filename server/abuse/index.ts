import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/env.js';
import type { EconomyConfigHolder } from '../economy/config/holder.js';
import type { BalanceNotifier } from '../earning/balance-notifier.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import type { RecordStores } from '../stores/ports.js';
import { createActivityGuard } from './activity-guard.js';
import { createAwardGate, type AbuseAwardGate } from './award-gate.js';
import { createPeerEligibility, type PeerEligibility } from './peer-eligibility.js';
import { PenaltyService } from './penalty-service.js';
import type { PenaltyRecord, PenaltyStore } from './ports.js';
import type { FundedAccountSource } from './decay-candidates.js';
import type { StandingChanges } from './standing-changes.js';

/** The anti-abuse layer on AppContext (`ctx.abuse`); `gate` is the award service's constructor argument. */
export interface AbuseServices {
  store: PenaltyStore;
  gate: AbuseAwardGate;
  penalties: PenaltyService;
  /** Who counts as an independent peer for peer-triggered awards and room-reward quorums (issue 9). */
  peers: PeerEligibility;
  /** The decay job's candidates (funded user accounts), read through the ledger's stores. */
  fundedAccounts: FundedAccountSource;
  /**
   * A user's standing changed here (a penalty applied or lifted): forgets this node's cached
   * standing and tells the other nodes to forget theirs, so the change holds on every node at once.
   */
  standingChanged(userId: string): void;
}

export interface AbuseDeps {
  config: Pick<AppConfig, 'redisPrefix'>;
  /** The penalties port (`stores.penalties`, server/stores/create-stores.ts). */
  penalties: PenaltyStore;
  /** `stores.ledger.reads.fundedAccounts`. */
  fundedAccounts: FundedAccountSource;
  redis: Redis | null;
  stores: Pick<RecordStores, 'users' | 'notifications' | 'messages'>;
  ledger: LedgerService;
  notifier: BalanceNotifier;
  economy: EconomyConfigHolder;
  broadcast: Broadcaster;
  /** Tells the other nodes a standing changed (server/abuse/standing-changes.ts). */
  standingChanges: StandingChanges;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
  /** Operators (server/admin/): when each of a user's penalties was lifted, by penalty id. */
  liftedAt?: (userId: string, penalties: readonly PenaltyRecord[]) => Promise<ReadonlyMap<string, Date>>;
}

/** The store as the gate and the service read it: each record carries its lift, if any. */
function withLifts(store: PenaltyStore, liftedAt: NonNullable<AbuseDeps['liftedAt']>): PenaltyStore {
  return {
    ...store,
    async list(userId) {
      const records = await store.list(userId);
      if (records.length === 0) return records;
      const lifts = await liftedAt(userId, records);
      return records.map((r) => (lifts.has(r.id) ? { ...r, liftedAt: lifts.get(r.id)! } : r));
    },
  };
}

/** Builds the penalties store, the award gate (Redis-backed when configured) and the penalty service. */
export function createAbuse(deps: AbuseDeps): AbuseServices {
  const raw = deps.penalties;
  const store = deps.liftedAt ? withLifts(raw, deps.liftedAt) : raw;
  const gate = createAwardGate({
    penalties: store,
    users: deps.stores.users,
    guard: createActivityGuard(deps.redis, deps.config.redisPrefix),
    economy: deps.economy,
    clock: deps.clock,
  });
  const standingChanged = (userId: string): void => {
    gate.invalidate(userId);
    deps.standingChanges.announce(userId);
  };
  const penalties = new PenaltyService({
    penalties: store,
    users: deps.stores.users,
    notifications: deps.stores.notifications,
    ledger: deps.ledger,
    notifier: deps.notifier,
    economy: deps.economy,
    broadcast: deps.broadcast,
    onPenalty: standingChanged,
    clock: deps.clock,
    newId: deps.newId,
    logger: deps.logger,
  });
  const peers = createPeerEligibility({ users: deps.stores.users, messages: deps.stores.messages, economy: deps.economy });
  return { store, gate, penalties, peers, fundedAccounts: deps.fundedAccounts, standingChanged };
}
