import type { AchievementRecord, EngagementStore, LoginRecord, ReferralRecord, ReferralStatus } from '../../engagement/ports.js';
import { EMPTY_LOGIN_RECORD } from '../../engagement/ports.js';
import type { SqliteDb } from './db.js';
import { fromMs, fromMsOrNull, toMs } from './columns.js';

const DDL = `
CREATE TABLE IF NOT EXISTS engagement_logins (
  user_id TEXT PRIMARY KEY,
  last_claim_day TEXT,
  streak_days INTEGER NOT NULL,
  longest_streak_days INTEGER NOT NULL,
  active_month TEXT,
  active_month_days INTEGER NOT NULL,
  monthly_active_paid_for TEXT,
  daily_logins_claimed INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS engagement_achievements (
  user_id TEXT NOT NULL,
  achievement_id TEXT NOT NULL,
  unlocked_at INTEGER NOT NULL,
  claimed_at INTEGER,
  PRIMARY KEY (user_id, achievement_id)
) STRICT;
CREATE TABLE IF NOT EXISTS engagement_referrals (
  invitee_id TEXT PRIMARY KEY,
  inviter_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('paid', 'refused')),
  reason TEXT,
  settled_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS engagement_referrals_inviter ON engagement_referrals (inviter_id, status);
CREATE TABLE IF NOT EXISTS engagement_metrics (
  user_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (user_id, metric)
) STRICT;
`;

interface LoginRow {
  last_claim_day: string | null;
  streak_days: number;
  longest_streak_days: number;
  active_month: string | null;
  active_month_days: number;
  monthly_active_paid_for: string | null;
  daily_logins_claimed: number;
}

interface AchievementRow {
  achievement_id: string;
  unlocked_at: number;
  claimed_at: number | null;
}

interface ReferralRow {
  invitee_id: string;
  inviter_id: string;
  status: ReferralStatus;
  reason: string | null;
  settled_at: number;
}

const loginFromRow = (r: LoginRow): LoginRecord => ({
  lastClaimDay: r.last_claim_day,
  streakDays: r.streak_days,
  longestStreakDays: r.longest_streak_days,
  activeMonth: r.active_month,
  activeMonthDays: r.active_month_days,
  monthlyActivePaidFor: r.monthly_active_paid_for,
  dailyLoginsClaimed: r.daily_logins_claimed,
});

const loginParams = (userId: string, l: LoginRecord) => ({
  userId,
  lastClaimDay: l.lastClaimDay,
  streakDays: l.streakDays,
  longestStreakDays: l.longestStreakDays,
  activeMonth: l.activeMonth,
  activeMonthDays: l.activeMonthDays,
  monthlyActivePaidFor: l.monthlyActivePaidFor,
  dailyLoginsClaimed: l.dailyLoginsClaimed,
});

/** Engagement state over SQLite: one table per concern, every race decided by a conditional write. */
export function createSqliteEngagementStore(db: SqliteDb): EngagementStore {
  db.exec(DDL);
  const getLogin = db.prepare<[string], LoginRow>('SELECT * FROM engagement_logins WHERE user_id = ?');
  const insertLogin = db.prepare(
    `INSERT INTO engagement_logins VALUES (@userId, @lastClaimDay, @streakDays, @longestStreakDays, @activeMonth,
       @activeMonthDays, @monthlyActivePaidFor, @dailyLoginsClaimed) ON CONFLICT (user_id) DO NOTHING`,
  );
  // `IS` compares NULL to NULL as equal, which the compare-and-set needs for "no claim yet".
  const updateLogin = db.prepare(
    `UPDATE engagement_logins SET last_claim_day = @lastClaimDay, streak_days = @streakDays,
       longest_streak_days = @longestStreakDays, active_month = @activeMonth, active_month_days = @activeMonthDays,
       monthly_active_paid_for = @monthlyActivePaidFor, daily_logins_claimed = @dailyLoginsClaimed
     WHERE user_id = @userId AND last_claim_day IS @expected`,
  );
  const unlock = db.prepare<[string, string, number]>(
    'INSERT INTO engagement_achievements (user_id, achievement_id, unlocked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const listAchievements = db.prepare<[string], AchievementRow>(
    'SELECT achievement_id, unlocked_at, claimed_at FROM engagement_achievements WHERE user_id = ? ORDER BY unlocked_at, achievement_id',
  );
  const claim = db.prepare<[number, string, string]>(
    'UPDATE engagement_achievements SET claimed_at = ? WHERE user_id = ? AND achievement_id = ? AND claimed_at IS NULL',
  );
  const exists = db.prepare<[string, string], { one: number }>(
    'SELECT 1 AS one FROM engagement_achievements WHERE user_id = ? AND achievement_id = ?',
  );
  const unclaim = db.prepare<[string, string]>('UPDATE engagement_achievements SET claimed_at = NULL WHERE user_id = ? AND achievement_id = ?');
  const getReferral = db.prepare<[string], ReferralRow>('SELECT * FROM engagement_referrals WHERE invitee_id = ?');
  const settle = db.prepare(
    `INSERT INTO engagement_referrals VALUES (@inviteeId, @inviterId, @status, @reason, @settledAt) ON CONFLICT (invitee_id) DO NOTHING`,
  );
  const reopen = db.prepare<[string]>('DELETE FROM engagement_referrals WHERE invitee_id = ?');
  const countPaid = db.prepare<[string], { n: number }>(
    "SELECT COUNT(*) AS n FROM engagement_referrals WHERE inviter_id = ? AND status = 'paid'",
  );
  const increment = db.prepare<[string, string, number], { value: number }>(
    `INSERT INTO engagement_metrics (user_id, metric, value) VALUES (?, ?, ?)
     ON CONFLICT (user_id, metric) DO UPDATE SET value = value + excluded.value RETURNING value`,
  );
  const listMetrics = db.prepare<[string], { metric: string; value: number }>('SELECT metric, value FROM engagement_metrics WHERE user_id = ?');

  const saveLogin = db.transaction((userId: string, expected: string | null, next: LoginRecord): boolean => {
    if (expected === null && insertLogin.run(loginParams(userId, next)).changes === 1) return true;
    return updateLogin.run({ ...loginParams(userId, next), expected }).changes === 1;
  });
  const claimOnce = db.transaction((userId: string, achievementId: string, at: Date) => {
    if (claim.run(toMs(at), userId, achievementId).changes === 1) return 'claimed' as const;
    return exists.get(userId, achievementId) ? ('already_claimed' as const) : ('locked' as const);
  });

  return {
    async login(userId) {
      const row = getLogin.get(userId);
      return row ? loginFromRow(row) : { ...EMPTY_LOGIN_RECORD };
    },
    async saveLogin(userId, expected, next) {
      return saveLogin(userId, expected, next);
    },
    async unlockAchievement(userId, achievementId, at) {
      return unlock.run(userId, achievementId, toMs(at)).changes === 1;
    },
    async achievements(userId): Promise<AchievementRecord[]> {
      return listAchievements.all(userId).map((r) => ({
        achievementId: r.achievement_id,
        unlockedAt: fromMs(r.unlocked_at),
        claimedAt: fromMsOrNull(r.claimed_at),
      }));
    },
    async claimAchievement(userId, achievementId, at) {
      return claimOnce(userId, achievementId, at);
    },
    async unclaimAchievement(userId, achievementId) {
      unclaim.run(userId, achievementId);
    },
    async referral(inviteeId) {
      const r = getReferral.get(inviteeId);
      return r ? { inviteeId: r.invitee_id, inviterId: r.inviter_id, status: r.status, reason: r.reason, settledAt: fromMs(r.settled_at) } : null;
    },
    async settleReferral(r: ReferralRecord) {
      return settle.run({ ...r, settledAt: toMs(r.settledAt) }).changes === 1;
    },
    async reopenReferral(inviteeId) {
      reopen.run(inviteeId);
    },
    async countPaidReferrals(inviterId) {
      return countPaid.get(inviterId)?.n ?? 0;
    },
    async incrementMetric(userId, metric, by) {
      const row = increment.get(userId, metric, by);
      if (!row) throw new Error('metric upsert returned no row');
      return row.value;
    },
    async metrics(userId) {
      return Object.fromEntries(listMetrics.all(userId).map((r) => [r.metric, r.value]));
    },
  };
}
