import type { AwardOutcome } from '../../shared/events.js';
import type { AchievementMetric } from '../economy/config/schema.js';
import type { EconomyConfigHolder } from '../economy/config/holder.js';
import type { AwardRequest, AwardService } from '../earning/award-service.js';
import type { BalanceNotifier } from '../earning/balance-notifier.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { AppServer } from '../realtime/types.js';
import type { RecordStores } from '../stores/ports.js';
import { AchievementEngine, type MetricReader } from './achievements.js';
import { claimDaily, loginStreakSource, type DailyClaimResult } from './daily-claim.js';
import { MessageCountEstimate } from './message-count-estimate.js';
import type { EngagementStore } from './ports.js';
import { ReferralTracker } from './referrals.js';

export interface EngagementDeps {
  store: EngagementStore;
  stores: Pick<RecordStores, 'users' | 'messages' | 'rooms' | 'notifications'>;
  ledger: LedgerService;
  /** The award pipeline itself (not the observed one), for the payouts made here. */
  awards: AwardService;
  notifier: BalanceNotifier;
  economy: EconomyConfigHolder;
  io: AppServer;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
}

/**
 * Activities whose count lives in the engagement store: each is paid at most once per thing
 * (room, message, voter, file, gift), so counting every award that was not ALREADY_REWARDED
 * counts each thing once.
 */
const COUNTED: Partial<Record<AwardRequest['activity'], AchievementMetric>> = {
  share_file: 'filesShared',
  join_room: 'roomsJoined',
  popular_message: 'popularMessages',
  helpful_content: 'helpfulVotesReceived',
  room_moderator: 'roomsModerated',
  media_shared: 'mediaViewedMilestones',
  receive_gift: 'giftsReceived',
};

/** Metrics whose truth is another store, read when an achievement needs them. */
const DERIVED: Partial<Record<AwardRequest['activity'], AchievementMetric>> = {
  send_message: 'messagesSent',
  create_room: 'roomsCreated',
};

/**
 * Daily claim, streaks, referrals and achievements. Activities reach it through `afterAward`
 * (installed around the award pipeline by `observeAwards`), so every inline award of every
 * feature moves the achievement metrics without those features knowing about achievements.
 */
export class EngagementService {
  readonly achievements: AchievementEngine;
  readonly referrals: ReferralTracker;
  readonly streakSource;
  /** Saves the per-message `countByAuthor` while no message achievement can be reached. */
  private readonly messageCounts = new MessageCountEstimate();

  constructor(private readonly deps: EngagementDeps) {
    this.achievements = new AchievementEngine({ ...deps, readMetric: this.readMetric });
    this.referrals = new ReferralTracker(deps);
    this.streakSource = loginStreakSource(deps.store);
  }

  /** The engagement state (login streaks, unlocks, referral settlements, counters). */
  get store(): EngagementStore {
    return this.deps.store;
  }

  /** Where each achievement metric's value comes from. */
  private readonly readMetric: MetricReader = async (userId, metric) => {
    const { store, stores, ledger } = this.deps;
    switch (metric) {
      case 'messagesSent': {
        const n = await stores.messages.countByAuthor(userId);
        this.messageCounts.exact(userId, n, this.deps.clock.now().getTime());
        return n;
      }
      case 'roomsCreated':
        return stores.rooms.countOwnedBy(userId);
      case 'lifetimeEarned':
        return (await ledger.account(userId)).totalEarned;
      case 'tokensGifted':
        return (await ledger.account(userId)).totalGifted;
      case 'longestStreakDays':
        return (await store.login(userId)).longestStreakDays;
      case 'dailyLoginsClaimed':
        return (await store.login(userId)).dailyLoginsClaimed;
      case 'friendsInvited':
        return store.countPaidReferrals(userId);
      default:
        return (await store.metrics(userId))[metric] ?? 0;
    }
  };

  /** `POST /api/tokens/claim-daily`, then the achievements and the referral it may complete. */
  async claimDaily(userId: string): Promise<DailyClaimResult> {
    const { result, state } = await claimDaily(this.deps, userId, this.deps.clock.now(), this.deps.economy.current);
    await this.follow(userId, async () => {
      await this.achievements.evaluate(userId, ['longestStreakDays', 'dailyLoginsClaimed', 'lifetimeEarned'], {
        longestStreakDays: state.longestStreakDays,
        dailyLoginsClaimed: state.dailyLoginsClaimed,
      });
      await this.afterReferral(await this.referrals.check(userId));
    });
    return result;
  }

  /** Moves the metrics an award's activity changed and unlocks what they reached. */
  async afterAward(req: AwardRequest, outcome: AwardOutcome): Promise<void> {
    if (outcome.reason === 'ALREADY_REWARDED' || outcome.reason === 'ECONOMY_DISABLED') return;
    const { userId, activity } = req;
    await this.follow(userId, async () => {
      const metrics: AchievementMetric[] = [];
      const known: Partial<Record<AchievementMetric, number>> = {};
      const counted = COUNTED[activity];
      if (counted) {
        known[counted] = await this.deps.store.incrementMetric(userId, counted, 1);
        metrics.push(counted);
      }
      const derived = DERIVED[activity];
      if (derived) metrics.push(derived);
      if (derived === 'messagesSent') {
        this.messageCounts.sent(userId);
        const thresholds = this.deps.economy.current.achievements.filter((a) => a.metric === 'messagesSent').map((a) => a.threshold);
        const estimate = this.messageCounts.usable(userId, this.deps.clock.now().getTime(), thresholds);
        if (estimate !== null) known.messagesSent = estimate;
      }
      if (outcome.granted > 0) metrics.push('lifetimeEarned');
      if (metrics.length > 0) await this.achievements.evaluate(userId, metrics, known);
      if (activity === 'send_message') await this.afterReferral(await this.referrals.check(userId));
    });
  }

  /**
   * For the gift feature: call after a gift was posted. Counts the sender's gifts and unlocks
   * the gift achievements (giftsSent, tokensGifted from the ledger); the recipient's side comes
   * from its receive_gift award.
   */
  async recordGift(senderId: string): Promise<void> {
    await this.follow(senderId, async () => {
      const giftsSent = await this.deps.store.incrementMetric(senderId, 'giftsSent', 1);
      await this.achievements.evaluate(senderId, ['giftsSent', 'tokensGifted'], { giftsSent });
    });
  }

  private async afterReferral(paid: { inviterId: string; award: AwardOutcome } | null): Promise<void> {
    if (!paid) return;
    await this.achievements.evaluate(paid.inviterId, paid.award.granted > 0 ? ['friendsInvited', 'lifetimeEarned'] : ['friendsInvited']);
  }

  /** Follow-up work must never fail the activity that triggered it: errors are logged. */
  private async follow(userId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.deps.logger.error({ err, userId }, 'engagement follow-up failed');
    }
  }
}

/**
 * The award pipeline with the engagement follow-up after each grant. Install it as `ctx.awards`
 * before any feature takes the pipeline, so message:send, file:share, room:join ... all count.
 */
export function observeAwards(inner: AwardService, engagement: EngagementService): AwardService {
  return {
    async grant(req) {
      const outcome = await inner.grant(req);
      await engagement.afterAward(req, outcome);
      return outcome;
    },
    setStreakSource: (source) => inner.setStreakSource(source),
    setGate: (gate) => inner.setGate(gate),
  };
}
