import type { AwardOutcome } from '../../shared/events.js';
import type { EconomyConfigHolder } from '../economy/config/holder.js';
import { referralEligibility } from '../economy/rules/referral.js';
import type { AwardService } from '../earning/award-service.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { RecordStores } from '../stores/ports.js';
import { BoundedCache } from './bounded-cache.js';
import type { EngagementStore } from './ports.js';

/** Invitees whose referral is known to be closed (never invited, paid or refused). */
const CLOSED_CACHE_USERS_MAX = 50_000;

export const referralKey = (inviterId: string, inviteeId: string): string => `earn:invite_friend:${inviterId}:${inviteeId}`;

/** Refusals that can never turn into a payment, so the referral is settled as refused. */
const FINAL_REFUSALS: ReadonlySet<string> = new Set(['SELF_INVITE', 'SAME_ADDRESS', 'ACTIVE_TOO_LATE']);

export interface ReferralDeps {
  store: EngagementStore;
  stores: Pick<RecordStores, 'users' | 'messages'>;
  awards: AwardService;
  economy: EconomyConfigHolder;
  clock: Clock;
  logger: Logger;
}

/**
 * invite_friend: checked after the invitee's own activity (a message sent, a daily claim), the
 * moments they may just have become active. Each check is cheap: an invitee whose referral is
 * closed is remembered in memory and costs nothing; an open one costs the user row, the stored
 * settlement, and (only when not settled) a message count and the login state.
 */
export class ReferralTracker {
  private readonly closed = new BoundedCache<true>(CLOSED_CACHE_USERS_MAX);

  constructor(private readonly deps: ReferralDeps) {}

  /** Pays the inviter when `inviteeId` just became active; returns the inviter's award, if any. */
  async check(inviteeId: string): Promise<{ inviterId: string; award: AwardOutcome } | null> {
    if (this.closed.get(inviteeId)) return null;
    const invitee = await this.deps.stores.users.findById(inviteeId);
    if (!invitee?.invitedBy) {
      if (invitee) this.closed.set(inviteeId, true);
      return null;
    }
    if (await this.deps.store.referral(inviteeId)) {
      this.closed.set(inviteeId, true);
      return null;
    }
    const inviter = await this.deps.stores.users.findById(invitee.invitedBy);
    const at = this.deps.clock.now();
    const config = this.deps.economy.current;
    const [messagesSent, login] = await Promise.all([this.deps.stores.messages.countByAuthor(inviteeId), this.deps.store.login(inviteeId)]);
    const decision = referralEligibility(
      {
        inviterId: invitee.invitedBy,
        inviteeId,
        inviterAddress: inviter?.registrationIp ?? null,
        inviteeAddress: invitee.registrationIp,
        inviteeRegisteredAt: invitee.createdAt,
        inviteeMessagesSent: messagesSent,
        inviteeDailyLoginsClaimed: login.dailyLoginsClaimed,
        alreadyPaid: false,
      },
      at,
      config,
    );
    if (!decision.eligible) {
      if (FINAL_REFUSALS.has(decision.reason) || !inviter) {
        await this.deps.store.settleReferral({ inviteeId, inviterId: invitee.invitedBy, status: 'refused', reason: inviter ? decision.reason : 'INVITER_GONE', settledAt: at });
        this.closed.set(inviteeId, true);
      }
      return null;
    }
    if (!inviter || inviter.bannedAt) {
      await this.deps.store.settleReferral({ inviteeId, inviterId: invitee.invitedBy, status: 'refused', reason: 'INVITER_BANNED', settledAt: at });
      this.closed.set(inviteeId, true);
      return null;
    }
    // Settle first: of two concurrent checks only the one that settles pays.
    if (!(await this.deps.store.settleReferral({ inviteeId, inviterId: inviter.id, status: 'paid', reason: null, settledAt: at }))) {
      this.closed.set(inviteeId, true);
      return null;
    }
    const award = await this.deps.awards.grant({
      userId: inviter.id,
      activity: 'invite_friend',
      idempotencyKey: referralKey(inviter.id, inviteeId),
      at,
      metadata: { inviteeId },
    });
    if (award.reason === 'CAPS_UNAVAILABLE' || award.reason === 'LEDGER_UNAVAILABLE') {
      // Nothing was paid: reopen, so the invitee's next activity tries again.
      await this.deps.store.reopenReferral(inviteeId);
      this.deps.logger.warn({ inviteeId, inviterId: inviter.id, reason: award.reason }, 'referral payout postponed');
      return null;
    }
    this.closed.set(inviteeId, true);
    return { inviterId: inviter.id, award };
  }
}
