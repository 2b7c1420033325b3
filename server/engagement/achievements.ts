import type { Achievement, AchievementMetric, EconomyConfigHolder } from '../economy/config/index.js';
import { achievementProgress, type UserMetrics } from '../economy/rules/achievements.js';
import type { AwardService } from '../earning/award-service.js';
import { refuseIneligible } from '../earning/gate-refusal.js';
import type { BalanceNotifier } from '../earning/balance-notifier.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import { earnEntry } from '../ledger/entries.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import type { RecordStores } from '../stores/ports.js';
import { BoundedCache } from './bounded-cache.js';
import type { EngagementStore } from './ports.js';

/** Users whose unlocked set is kept in memory (unlocks only grow, so a stale set is safe). */
const UNLOCKED_CACHE_USERS_MAX = 10_000;

export const achievementKey = (userId: string, achievementId: string): string => `earn:achievement:${userId}:${achievementId}`;

/** Reads one metric's current value for a user (from the store that is the truth for it). */
export type MetricReader = (userId: string, metric: AchievementMetric) => Promise<number>;

export interface AchievementDeps {
  store: EngagementStore;
  stores: Pick<RecordStores, 'notifications'>;
  ledger: LedgerService;
  notifier: BalanceNotifier;
  economy: EconomyConfigHolder;
  /** Server->client events and room subscriptions (server/realtime/broadcaster.ts). */
  broadcast: Broadcaster;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
  readMetric: MetricReader;
  /** Issue 9: the award gate, so a suspended or banned account claims nothing (AwardService.gateRefusal). */
  awards?: Pick<AwardService, 'gateRefusal'>;
}

/** An achievement as clients see it in lists. */
export interface AchievementInfo {
  id: string;
  name: string;
  description: string;
  metric: AchievementMetric;
  threshold: number;
  reward: number;
}

export const achievementInfo = (a: Achievement): AchievementInfo => ({
  id: a.id,
  name: a.name,
  description: a.description,
  metric: a.metric,
  threshold: a.threshold,
  reward: a.reward,
});

export interface UserAchievementView extends AchievementInfo {
  value: number;
  unlocked: boolean;
  unlockedAt: string | null;
  claimed: boolean;
  claimedAt: string | null;
}

/**
 * Unlocks achievements when their metric crosses the threshold, and pays the reward once on
 * claim. `evaluate(userId, metrics)` is called after the activities that move those metrics; it
 * reads nothing when every achievement of those metrics is already unlocked (kept in memory).
 */
export class AchievementEngine {
  private readonly unlocked = new BoundedCache<Set<string>>(UNLOCKED_CACHE_USERS_MAX);

  constructor(private readonly deps: AchievementDeps) {}

  private async unlockedSet(userId: string): Promise<Set<string>> {
    const cached = this.unlocked.get(userId);
    if (cached) return cached;
    const set = new Set((await this.deps.store.achievements(userId)).map((a) => a.achievementId));
    this.unlocked.set(userId, set);
    return set;
  }

  /**
   * Unlocks every achievement of `metrics` whose threshold the user has reached; pushes
   * `achievement:unlocked` and stores a notification for each new one. `known` saves reads of
   * values the caller already has. Returns the newly unlocked achievements.
   */
  async evaluate(userId: string, metrics: readonly AchievementMetric[], known: UserMetrics = {}): Promise<Achievement[]> {
    const config = this.deps.economy.current;
    const have = await this.unlockedSet(userId);
    const pending = config.achievements.filter((a) => metrics.includes(a.metric) && !have.has(a.id));
    if (pending.length === 0) return [];
    const values: UserMetrics = { ...known };
    for (const metric of new Set(pending.map((a) => a.metric))) {
      values[metric] ??= await this.deps.readMetric(userId, metric);
    }
    const reached = pending.filter((a) => (values[a.metric] ?? 0) >= a.threshold);
    const unlockedNow: Achievement[] = [];
    for (const a of reached) {
      const at = this.deps.clock.now();
      const isNew = await this.deps.store.unlockAchievement(userId, a.id, at);
      have.add(a.id);
      if (!isNew) continue;
      unlockedNow.push(a);
      this.deps.broadcast.emit({ users: [userId] }, 'achievement:unlocked', { achievementId: a.id, name: a.name, reward: a.reward });
      await this.deps.stores.notifications.create({
        id: this.deps.newId(),
        userId,
        type: 'achievement',
        data: { achievementId: a.id, name: a.name, reward: a.reward },
        readAt: null,
        createdAt: at,
      });
    }
    return unlockedNow;
  }

  /**
   * Pays an unlocked achievement's reward exactly once: the store marks it claimed (one winner
   * among concurrent claims), then an `earn` entry keyed `earn:achievement:<user>:<id>` is posted.
   * The reward is a fixed prize, so it is neither multiplied nor counted against the earning caps.
   * If the post fails, the claim is undone and the error passes on.
   */
  async claim(userId: string, achievementId: string): Promise<{ achievementId: string; reward: number; balance: number; claimedAt: string }> {
    const achievement = this.deps.economy.current.achievements.find((a) => a.id === achievementId);
    if (!achievement) throw new AppError('ACHIEVEMENT_NOT_FOUND');
    const at = this.deps.clock.now();
    await refuseIneligible(this.deps.awards, { userId, activity: 'achievement' }, at);
    const result = await this.deps.store.claimAchievement(userId, achievementId, at);
    if (result === 'locked') throw new AppError('ACHIEVEMENT_LOCKED');
    if (result === 'already_claimed') throw new AppError('ALREADY_CLAIMED', 'That achievement was already claimed');
    let outcome;
    try {
      outcome = await this.deps.ledger.post(
        earnEntry(userId, achievement.reward, {
          idempotencyKey: achievementKey(userId, achievementId),
          activity: 'achievement',
          message: achievement.name,
          metadata: { achievementId },
        }),
      );
    } catch (err) {
      await this.deps.store.unclaimAchievement(userId, achievementId);
      throw err;
    }
    if (outcome.status === 'insufficient_funds') {
      await this.deps.store.unclaimAchievement(userId, achievementId);
      throw new AppError('LEDGER_INVARIANT_VIOLATED', undefined, { account: outcome.account });
    }
    this.deps.notifier.posted(outcome);
    const paid = outcome.entry.legs.find((l) => l.account === `user:${userId}`)?.amount ?? achievement.reward;
    const balance = outcome.status === 'posted' ? (outcome.accounts[userId]?.balance ?? 0) : (await this.deps.ledger.account(userId)).balance;
    return { achievementId, reward: paid, balance, claimedAt: at.toISOString() };
  }

  /** Every configured achievement with the user's value, unlock and claim. */
  async viewFor(userId: string): Promise<UserAchievementView[]> {
    const config = this.deps.economy.current;
    const records = new Map((await this.deps.store.achievements(userId)).map((r) => [r.achievementId, r]));
    const metrics: UserMetrics = {};
    for (const metric of new Set(config.achievements.map((a) => a.metric))) metrics[metric] = await this.deps.readMetric(userId, metric);
    return achievementProgress(metrics, config).map(({ achievement: a, value }) => {
      const r = records.get(a.id);
      return {
        ...achievementInfo(a),
        value,
        unlocked: r !== undefined,
        unlockedAt: r?.unlockedAt.toISOString() ?? null,
        claimed: r?.claimedAt != null,
        claimedAt: r?.claimedAt?.toISOString() ?? null,
      };
    });
  }
}
