/**
 * Where the award path reads a user's current daily-login streak (for the streak multiplier).
 * The engagement feature (daily claim, streaks) implements it and installs it with
 * `ctx.awards.setStreakSource(source)`. Until one is installed every award uses streak 0, which
 * is the true streak of a server that has no daily claim yet: no multiplier step applies.
 */
export interface StreakSource {
  /** Consecutive UTC days with a claimed daily login, as of `at` (0 when the streak is broken). */
  streakDays(userId: string, at: Date): Promise<number>;
}

/** The source in place before the engagement feature installs its own. */
export const noStreakSource: StreakSource = {
  streakDays: async () => 0,
};
