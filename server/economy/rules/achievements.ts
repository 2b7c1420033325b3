import type { Achievement, AchievementMetric, EconomyConfig } from '../config/schema.js';

/** A user's counters as achievements see them; a missing metric counts as 0. */
export type UserMetrics = Partial<Record<AchievementMetric, number>>;

/**
 * Achievements whose metric has reached its threshold and that are not in `alreadyUnlocked`, in
 * config order. Unlocking is separate from claiming: the reward is paid once on claim.
 */
export function newlyUnlockedAchievements(metrics: UserMetrics, alreadyUnlocked: ReadonlySet<string>, config: EconomyConfig): Achievement[] {
  return config.achievements.filter((a) => !alreadyUnlocked.has(a.id) && (metrics[a.metric] ?? 0) >= a.threshold);
}

/** Progress of every achievement for display: current value, threshold, unlocked. */
export function achievementProgress(metrics: UserMetrics, config: EconomyConfig): { achievement: Achievement; value: number; unlocked: boolean }[] {
  return config.achievements.map((a) => {
    const value = metrics[a.metric] ?? 0;
    return { achievement: a, value, unlocked: value >= a.threshold };
  });
}
