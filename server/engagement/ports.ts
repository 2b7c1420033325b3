import type { LoginState } from '../economy/rules/streak.js';

/**
 * The engagement state port: what the daily claim, achievements and referrals remember per user.
 * Two adapters (server/stores/sqlite/engagement-store.ts, server/stores/mongo/engagement-store.ts)
 * implement it with the same behaviour; test/contract/engagement.contract.test.ts runs one suite
 * on both. Every write that may race is a compare-and-set decided by the store, so two nodes (or
 * two concurrent requests) can never both win the same claim.
 */

/** The daily-login state plus the number of claims ever made (referral "active" needs it). */
export interface LoginRecord extends LoginState {
  dailyLoginsClaimed: number;
}

export const EMPTY_LOGIN_RECORD: LoginRecord = {
  lastClaimDay: null,
  streakDays: 0,
  longestStreakDays: 0,
  activeMonth: null,
  activeMonthDays: 0,
  monthlyActivePaidFor: null,
  dailyLoginsClaimed: 0,
};

export interface AchievementRecord {
  achievementId: string;
  unlockedAt: Date;
  claimedAt: Date | null;
}

export type ClaimResult = 'claimed' | 'already_claimed' | 'locked';

/** How a referral ended; `pending` rows do not exist (no row = still open). */
export type ReferralStatus = 'paid' | 'refused';

export interface ReferralRecord {
  inviteeId: string;
  inviterId: string;
  status: ReferralStatus;
  /** Why it was refused (SELF_INVITE, SAME_ADDRESS, ACTIVE_TOO_LATE), null when paid. */
  reason: string | null;
  settledAt: Date;
}

export interface EngagementStore {
  /** The user's login state; EMPTY_LOGIN_RECORD before the first claim. */
  login(userId: string): Promise<LoginRecord>;
  /**
   * Writes `next` only if the stored `lastClaimDay` still equals `expectedLastClaimDay` (null: no
   * claim stored yet). Returns false when another claim got there first; nothing is written then.
   */
  saveLogin(userId: string, expectedLastClaimDay: string | null, next: LoginRecord): Promise<boolean>;

  /** Records an unlock once per (user, achievement); true when this call unlocked it. */
  unlockAchievement(userId: string, achievementId: string, at: Date): Promise<boolean>;
  achievements(userId: string): Promise<AchievementRecord[]>;
  /** Marks an unlocked achievement claimed, once: the first concurrent caller gets 'claimed'. */
  claimAchievement(userId: string, achievementId: string, at: Date): Promise<ClaimResult>;
  /** Undoes a claim whose payment failed, so the user may claim again. */
  unclaimAchievement(userId: string, achievementId: string): Promise<void>;

  /** The settled referral of an invitee, or null while it is still open. */
  referral(inviteeId: string): Promise<ReferralRecord | null>;
  /** Settles an invitee's referral once; false when it was already settled (nothing changes). */
  settleReferral(r: ReferralRecord): Promise<boolean>;
  /** Reopens a referral whose payment failed. */
  reopenReferral(inviteeId: string): Promise<void>;
  /** Referrals paid to this inviter. */
  countPaidReferrals(inviterId: string): Promise<number>;

  /** Adds `by` to a per-user counter (created at 0) and returns the new value. */
  incrementMetric(userId: string, metric: string, by: number): Promise<number>;
  /** Every stored counter of the user. */
  metrics(userId: string): Promise<Record<string, number>>;
}
