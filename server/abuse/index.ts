import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/env.js';
import type { EconomyConfigHolder } from '../economy/config/holder.js';
import type { BalanceNotifier } from '../earning/balance-notifier.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { AppServer } from '../realtime/types.js';
import type { Backend } from '../stores/backend.js';
import type { RecordStores } from '../stores/ports.js';
import { createActivityGuard } from './activity-guard.js';
import { createAwardGate, type AbuseAwardGate } from './award-gate.js';
import { createPeerEligibility, type PeerEligibility } from './peer-eligibility.js';
import { PenaltyService } from './penalty-service.js';
import type { PenaltyStore } from './ports.js';
import { createPenaltyStore } from './store.js';

/** The anti-abuse layer on AppContext (`ctx.abuse`); `gate` is installed with `awards.setGate`. */
export interface AbuseServices {
  store: PenaltyStore;
  gate: AbuseAwardGate;
  penalties: PenaltyService;
  /** Who counts as an independent peer for peer-triggered awards and room-reward quorums (issue 9). */
  peers: PeerEligibility;
}

export interface AbuseDeps {
  config: Pick<AppConfig, 'redisPrefix'>;
  backend: Backend;
  redis: Redis | null;
  stores: Pick<RecordStores, 'users' | 'notifications' | 'messages'>;
  ledger: LedgerService;
  notifier: BalanceNotifier;
  economy: EconomyConfigHolder;
  io: AppServer;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
}

/** Builds the penalties store, the award gate (Redis-backed when configured) and the penalty service. */
export async function createAbuse(deps: AbuseDeps): Promise<AbuseServices> {
  const store = await createPenaltyStore(deps.backend);
  const gate = createAwardGate({
    penalties: store,
    users: deps.stores.users,
    guard: createActivityGuard(deps.redis, deps.config.redisPrefix),
    economy: deps.economy,
    clock: deps.clock,
  });
  const penalties = new PenaltyService({
    penalties: store,
    users: deps.stores.users,
    notifications: deps.stores.notifications,
    ledger: deps.ledger,
    notifier: deps.notifier,
    economy: deps.economy,
    io: deps.io,
    onPenalty: (userId) => gate.invalidate(userId),
    clock: deps.clock,
    newId: deps.newId,
    logger: deps.logger,
  });
  const peers = createPeerEligibility({ users: deps.stores.users, messages: deps.stores.messages, economy: deps.economy });
  return { store, gate, penalties, peers };
}
