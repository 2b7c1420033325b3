/**
 * Where the award path reads a user's current daily-login streak (for the streak multiplier).
 * The engagement store implements it (server/engagement/daily-claim.ts, `loginStreakSource`);
 * the award service receives it at construction (server/compose-services.ts).
 */
export interface StreakSource {
  /** Consecutive UTC days with a claimed daily login, as of `at` (0 when the streak is broken). */
  streakDays(userId: string, at: Date): Promise<number>;
}
