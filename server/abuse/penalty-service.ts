import type { z } from 'zod';
import type { penaltyApplyBody } from '../../shared/schemas.js';
import type { PenaltyNotice } from '../../shared/events.js';
import type { EconomyConfigHolder } from '../economy/config/holder.js';
import { nextPenaltyStep, penaltyStanding, suspensionEndMs, type PenaltyStanding } from '../economy/rules/abuse.js';
import type { BalanceNotifier } from '../earning/balance-notifier.js';
import { spendEntry } from '../ledger/entries.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import type { NotificationStore, UserStore } from '../stores/ports.js';
import type { PenaltyRecord, PenaltyStore } from './ports.js';

/** What the admin routes answer for one penalty. */
export interface PenaltyView {
  id: string;
  userId: string;
  sequence: number;
  action: PenaltyRecord['action'];
  severe: boolean;
  reason: string;
  actorId: string;
  requestId: string;
  suspendedUntil: string | null;
  /** Tokens a token_reset moved to the sink (0 when the balance was empty); null for other steps. */
  tokensRemoved: number | null;
  createdAt: string;
  /** When an admin lifted it (docs/operations.md); null while it stands. */
  liftedAt: string | null;
}

export interface PenaltyServiceDeps {
  penalties: PenaltyStore;
  users: Pick<UserStore, 'findById' | 'setBanned'>;
  notifications: NotificationStore;
  ledger: LedgerService;
  notifier: BalanceNotifier;
  economy: EconomyConfigHolder;
  /** Server->client events and room subscriptions (server/realtime/broadcaster.ts). */
  broadcast: Broadcaster;
  /** Called after a penalty so the award gate stops trusting its cached standing. */
  onPenalty(userId: string): void;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
}

/** Concurrent penalties of one user race for the next sequence number; the loser recomputes. */
const SEQUENCE_RETRIES_MAX = 3;
/** A token reset re-reads the balance when it fell between the read and the post. */
const RESET_RETRIES_MAX = 3;

/** The reset entry's key: one per penalty request, so a retried request never resets twice. */
export const resetKey = (userId: string, requestId: string): string => `penalty:reset:${userId}:${requestId}`;

type ApplyInput = z.output<typeof penaltyApplyBody>;

/**
 * The penalty ladder (docs/anti-abuse.md): each admin penalty takes the user's next step
 * (warning, 24 h earning suspension, token reset, ban; `severe` bans at once), is recorded, is
 * enforced and is notified to the user. Idempotent by the admin's requestId per user: a retry
 * answers the first record and finishes its enforcement if that was interrupted.
 */
export class PenaltyService {
  constructor(private readonly deps: PenaltyServiceDeps) {}

  async apply(actorId: string, input: ApplyInput): Promise<{ penalty: PenaltyView; duplicate: boolean }> {
    const user = await this.deps.users.findById(input.userId);
    if (!user) throw new AppError('USER_NOT_FOUND');
    const severe = input.severe ?? false;
    for (let attempt = 0; attempt < SEQUENCE_RETRIES_MAX; attempt++) {
      const prior = await this.deps.penalties.list(input.userId);
      const same = prior.find((p) => p.requestId === input.requestId);
      if (same) return { penalty: await this.replay(same, input.reason, severe), duplicate: true };
      if (penaltyStanding(prior).banned || user.bannedAt) throw new AppError('ALREADY_BANNED');

      const now = this.deps.clock.now();
      const step = nextPenaltyStep(prior.length, severe, this.deps.economy.current.antiAbuse.penalties);
      const endMs = suspensionEndMs(step, now.getTime());
      const record: PenaltyRecord = {
        id: this.deps.newId(),
        userId: input.userId,
        sequence: prior.length + 1,
        action: step.action,
        severe,
        reason: input.reason,
        actorId,
        requestId: input.requestId,
        suspendedUntil: endMs === null ? null : new Date(endMs),
        createdAt: now,
      };
      const inserted = await this.deps.penalties.insert(record);
      if (inserted.status === 'duplicate') return { penalty: await this.replay(inserted.existing, input.reason, severe), duplicate: true };
      if (inserted.status === 'sequence_taken') continue;
      const tokensRemoved = await this.enforce(record, { notify: true });
      return { penalty: view(record, tokensRemoved), duplicate: false };
    }
    throw new Error(`penalty for ${input.userId}: the sequence kept changing`);
  }

  /** The user's penalties, oldest first, with what they mean now. */
  async list(userId: string): Promise<{ userId: string; standing: { suspendedUntil: string | null; banned: boolean }; penalties: PenaltyView[] }> {
    const records = await this.deps.penalties.list(userId);
    const standing: PenaltyStanding = penaltyStanding(records);
    const nowMs = this.deps.clock.now().getTime();
    const penalties = await Promise.all(records.map(async (r) => view(r, await this.removedBy(r))));
    const active = standing.suspendedUntilMs !== null && standing.suspendedUntilMs > nowMs;
    return { userId, standing: { suspendedUntil: active ? new Date(standing.suspendedUntilMs!).toISOString() : null, banned: standing.banned }, penalties };
  }

  /** A retried request: same payload or IDEMPOTENCY_CONFLICT; enforcement is repeated (it is idempotent). */
  private async replay(record: PenaltyRecord, reason: string, severe: boolean): Promise<PenaltyView> {
    if (record.reason !== reason || record.severe !== severe) throw new AppError('IDEMPOTENCY_CONFLICT');
    return view(record, await this.enforce(record, { notify: false }));
  }

  private async removedBy(record: PenaltyRecord): Promise<number | null> {
    if (record.action !== 'token_reset') return null;
    const entry = await this.deps.ledger.findByIdempotencyKey(resetKey(record.userId, record.requestId));
    return entry ? Math.abs(entry.legs[0]?.amount ?? 0) : 0;
  }

  /**
   * Makes the step true; safe to repeat. Returns the tokens a reset removed. The user is told
   * before a ban closes their sockets, so an open client learns why it was disconnected.
   */
  private async enforce(record: PenaltyRecord, opts: { notify: boolean }): Promise<number | null> {
    let removed: number | null = null;
    if (record.action === 'token_reset') removed = await this.resetTokens(record);
    if (opts.notify) await this.notify(record, removed);
    if (record.action === 'account_ban') {
      await this.deps.users.setBanned(record.userId, record.createdAt);
      // Every node's sockets of the user (through the Redis adapter when configured).
      this.deps.broadcast.disconnectUsers([record.userId]);
    }
    this.deps.onPenalty(record.userId);
    return removed;
  }

  /** One penalty entry of the whole balance to the sink, keyed by the request. */
  private async resetTokens(record: PenaltyRecord): Promise<number> {
    const key = resetKey(record.userId, record.requestId);
    for (let attempt = 0; attempt < RESET_RETRIES_MAX; attempt++) {
      const existing = await this.deps.ledger.findByIdempotencyKey(key);
      if (existing) return Math.abs(existing.legs[0]?.amount ?? 0);
      const { balance } = await this.deps.ledger.account(record.userId);
      if (balance <= 0) return 0;
      const draft = spendEntry(
        record.userId,
        balance,
        { idempotencyKey: key, activity: 'penalty', actorId: record.actorId, message: record.reason, metadata: { penaltyId: record.id } },
        'penalty',
      );
      const outcome = await this.deps.ledger.post(draft);
      if (outcome.status === 'posted') {
        this.deps.notifier.posted(outcome);
        return balance;
      }
      if (outcome.status === 'duplicate') return Math.abs(outcome.entry.legs[0]?.amount ?? 0);
      // insufficient_funds: the balance fell meanwhile (a gift, a purchase); read it again.
    }
    throw new Error(`token reset of ${record.userId}: the balance kept changing`);
  }

  /** A stored notification (for later) and a live `penalty:applied` to the user's open sockets. */
  private async notify(record: PenaltyRecord, tokensRemoved: number | null): Promise<void> {
    const data: PenaltyNotice = { penaltyId: record.id, action: record.action, reason: record.reason, suspendedUntil: record.suspendedUntil?.toISOString() ?? null, tokensRemoved };
    this.deps.broadcast.emit({ users: [record.userId] }, 'penalty:applied', data);
    try {
      await this.deps.notifications.create({ id: this.deps.newId(), userId: record.userId, type: 'penalty', data: { ...data }, readAt: null, createdAt: this.deps.clock.now() });
    } catch (err) {
      // The penalty stands; a lost notice is logged rather than failing the admin's request.
      this.deps.logger.error({ err, penaltyId: record.id }, 'penalty notification could not be stored');
    }
  }
}

function view(r: PenaltyRecord, tokensRemoved: number | null): PenaltyView {
  return {
    id: r.id,
    userId: r.userId,
    sequence: r.sequence,
    action: r.action,
    severe: r.severe,
    reason: r.reason,
    actorId: r.actorId,
    requestId: r.requestId,
    suspendedUntil: r.suspendedUntil?.toISOString() ?? null,
    tokensRemoved,
    createdAt: r.createdAt.toISOString(),
    liftedAt: r.liftedAt?.toISOString() ?? null,
  };
}
