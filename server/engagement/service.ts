import type { AwardOutcome } from '../../shared/events.js';
import type { AchievementMetric } from '../economy/config/schema.js';
import type { EconomyConfigHolder } from '../economy/config/holder.js';
import type { AwardRequest, AwardService } from '../earning/award-service.js';
import type { BalanceNotifier } from '../earning/balance-notifier.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import type { RecordStores } from '../stores/ports.js';
import { AchievementEngine, type MetricReader } from './achievements.js';
import { claimDaily, loginStreakSource, type DailyClaimResult } from './daily-claim.js';
import { MetricEstimate } from './metric-estimate.js';
import type { StreakFreezes } from '../shop/streak-freeze.js';
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
  /** Server->client events and room subscriptions (server/realtime/broadcaster.ts). */
  broadcast: Broadcaster;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
  /** Issue 13 (h13a): the streak freezes the daily claim may use up (server/shop/streak-freeze.ts); none: no freeze ever applies. */
  freezes?: StreakFreezes;
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
  /**
   * Save the per-message `countByAuthor` and ledger account reads while no achievement of these
   * metrics can have been reached (see MetricEstimate).
   */
  private readonly estimates: Partial<Record<AchievementMetric, MetricEstimate>> = {
    messagesSent: new MetricEstimate(),
    lifetimeEarned: new MetricEstimate(),
  };

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
      case 'messagesSent':
        return this.exact(userId, metric, await stores.messages.countByAuthor(userId));
      case 'roomsCreated':
        return stores.rooms.countOwnedBy(userId);
      case 'lifetimeEarned':
        return this.exact(userId, metric, (await ledger.account(userId)).totalEarned);
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

  /** Records a value read from the store as the metric's new exact value; returns it. */
  private exact(userId: string, metric: AchievementMetric, value: number): number {
    this.estimates[metric]?.exact(userId, value, this.deps.clock.now().getTime());
    return value;
  }

  /** Adds this node's move of a metric and, when the estimate may stand in for the store, puts it in `known`. */
  private estimate(userId: string, metric: AchievementMetric, by: number, known: Partial<Record<AchievementMetric, number>>): void {
    const est = this.estimates[metric];
    if (!est) return;
    est.add(userId, by);
    const thresholds = this.deps.economy.current.achievements.filter((a) => a.metric === metric).map((a) => a.threshold);
    const value = est.usable(userId, this.deps.clock.now().getTime(), thresholds);
    if (value !== null) known[metric] = value;
  }

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
      if (derived === 'messagesSent') this.estimate(userId, 'messagesSent', 1, known);
      if (outcome.granted > 0) {
        metrics.push('lifetimeEarned');
        this.estimate(userId, 'lifetimeEarned', outcome.granted, known);
      }
      if (metrics.length > 0) await this.achievements.evaluate(userId, metrics, known);
      if (activity === 'send_message') await this.afterReferral(await this.referrals.check(userId));
    });
  }

  /**
   * For the gift feature: call after a gift was posted. Counts the sender's gifts and unlocks
   * the gift achievements (giftsSent, tokensGifted from the ledger); the recipient's side comes
   * from its receive_gift award. `tokensGifted`: the sender's lifetime gifted tokens right after
   * this gift when the caller has them (the post's outcome), which saves the ledger read.
   */
  async recordGift(senderId: string, tokensGifted?: number): Promise<void> {
    await this.follow(senderId, async () => {
      const giftsSent = await this.deps.store.incrementMetric(senderId, 'giftsSent', 1);
      await this.achievements.evaluate(senderId, ['giftsSent', 'tokensGifted'], tokensGifted === undefined ? { giftsSent } : { giftsSent, tokensGifted });
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
    gateRefusal: (req, at) => inner.gateRefusal(req, at),
  };
}
