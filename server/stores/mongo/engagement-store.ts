import { Schema, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { AchievementRecord, EngagementStore, LoginRecord, ReferralRecord, ReferralStatus } from '../../engagement/ports.js';
import { EMPTY_LOGIN_RECORD } from '../../engagement/ports.js';
import { isDuplicateKey } from './errors.js';
import { SCHEMA_OPTIONS, modelOn, readiness } from './model.js';

type LoginDoc = LoginRecord & { _id: string };

interface AchievementDoc {
  userId: string;
  achievementId: string;
  unlockedAt: Date;
  claimedAt: Date | null;
}

interface ReferralDoc {
  _id: string;
  inviterId: string;
  status: ReferralStatus;
  reason: string | null;
  settledAt: Date;
}

interface MetricDoc {
  userId: string;
  metric: string;
  value: number;
}

const loginSchema = new Schema<LoginDoc>(
  {
    _id: { type: String, required: true },
    lastClaimDay: { type: String, default: null },
    streakDays: { type: Number, required: true },
    longestStreakDays: { type: Number, required: true },
    activeMonth: { type: String, default: null },
    activeMonthDays: { type: Number, required: true },
    monthlyActivePaidFor: { type: String, default: null },
    dailyLoginsClaimed: { type: Number, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'engagement_logins' },
);

const achievementSchema = new Schema<AchievementDoc>(
  {
    userId: { type: String, required: true },
    achievementId: { type: String, required: true },
    unlockedAt: { type: Date, required: true },
    claimedAt: { type: Date, default: null },
  },
  { ...SCHEMA_OPTIONS, collection: 'engagement_achievements' },
);
achievementSchema.index({ userId: 1, achievementId: 1 }, { unique: true, name: 'userId_achievementId_unique' });

const referralSchema = new Schema<ReferralDoc>(
  {
    _id: { type: String, required: true },
    inviterId: { type: String, required: true },
    status: { type: String, enum: ['paid', 'refused'], required: true },
    reason: { type: String, default: null },
    settledAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'engagement_referrals' },
);
referralSchema.index({ inviterId: 1, status: 1 }, { name: 'inviterId_status' });

const metricSchema = new Schema<MetricDoc>(
  {
    userId: { type: String, required: true },
    metric: { type: String, required: true },
    value: { type: Number, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'engagement_metrics' },
);
metricSchema.index({ userId: 1, metric: 1 }, { unique: true, name: 'userId_metric_unique' });

const loginFields = (l: LoginRecord): LoginRecord => ({
  lastClaimDay: l.lastClaimDay,
  streakDays: l.streakDays,
  longestStreakDays: l.longestStreakDays,
  activeMonth: l.activeMonth,
  activeMonthDays: l.activeMonthDays,
  monthlyActivePaidFor: l.monthlyActivePaidFor,
  dailyLoginsClaimed: l.dailyLoginsClaimed,
});

/**
 * Engagement state over MongoDB. Every write is one single-document operation with its condition
 * in the filter (atomic on its own), so no multi-document transaction and no session is needed;
 * unique indexes decide the "first one wins" races.
 */
export function createMongoEngagementStore(connection: Connection, builds: IndexBuilds): EngagementStore {
  const Logins = modelOn(connection, 'EngagementLogin', loginSchema);
  const Achievements = modelOn(connection, 'EngagementAchievement', achievementSchema);
  const Referrals = modelOn(connection, 'EngagementReferral', referralSchema);
  const Metrics = modelOn(connection, 'EngagementMetric', metricSchema);
  const ready = readiness(builds, [Logins, Achievements, Referrals, Metrics]);

  return {
    async login(userId) {
      const doc = await Logins.findById(userId).lean<LoginDoc | null>();
      return doc ? loginFields(doc) : { ...EMPTY_LOGIN_RECORD };
    },
    async saveLogin(userId, expected, next) {
      await ready();
      // `lastClaimDay: null` also matches a row put back to "no claim" after a failed payout.
      const result = await Logins.updateOne({ _id: userId, lastClaimDay: expected }, { $set: loginFields(next) });
      if (result.matchedCount === 1) return true;
      if (expected === null) {
        try {
          await Logins.create([{ _id: userId, ...loginFields(next) }]);
          return true;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          return false;
        }
      }
      return false;
    },
    async unlockAchievement(userId, achievementId, at) {
      await ready();
      const result = await Achievements.updateOne(
        { userId, achievementId },
        { $setOnInsert: { userId, achievementId, unlockedAt: at, claimedAt: null } },
        { upsert: true },
      ).catch((err: unknown) => {
        // Two concurrent upserts of one key: the loser sees the unique index, i.e. not new.
        if (isDuplicateKey(err)) return { upsertedCount: 0 };
        throw err;
      });
      return result.upsertedCount === 1;
    },
    async achievements(userId): Promise<AchievementRecord[]> {
      const docs = await Achievements.find({ userId }).sort({ unlockedAt: 1, achievementId: 1 }).lean<AchievementDoc[]>();
      return docs.map((d) => ({ achievementId: d.achievementId, unlockedAt: d.unlockedAt, claimedAt: d.claimedAt ?? null }));
    },
    async claimAchievement(userId, achievementId, at) {
      const result = await Achievements.updateOne({ userId, achievementId, claimedAt: null }, { $set: { claimedAt: at } });
      if (result.modifiedCount === 1) return 'claimed';
      return (await Achievements.exists({ userId, achievementId })) ? 'already_claimed' : 'locked';
    },
    async unclaimAchievement(userId, achievementId) {
      await Achievements.updateOne({ userId, achievementId }, { $set: { claimedAt: null } });
    },
    async referral(inviteeId) {
      const d = await Referrals.findById(inviteeId).lean<ReferralDoc | null>();
      return d ? { inviteeId: d._id, inviterId: d.inviterId, status: d.status, reason: d.reason ?? null, settledAt: d.settledAt } : null;
    },
    async settleReferral(r: ReferralRecord) {
      await ready();
      try {
        await Referrals.create([{ _id: r.inviteeId, inviterId: r.inviterId, status: r.status, reason: r.reason, settledAt: r.settledAt }]);
        return true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        return false;
      }
    },
    async reopenReferral(inviteeId) {
      await Referrals.deleteOne({ _id: inviteeId });
    },
    async countPaidReferrals(inviterId) {
      return Referrals.countDocuments({ inviterId, status: 'paid' });
    },
    async incrementMetric(userId, metric, by) {
      await ready();
      const doc = await Metrics.findOneAndUpdate({ userId, metric }, { $inc: { value: by } }, { upsert: true, new: true }).lean<MetricDoc | null>();
      if (!doc) throw new Error('metric upsert returned no document');
      return doc.value;
    },
    async metrics(userId) {
      const docs = await Metrics.find({ userId }).lean<MetricDoc[]>();
      return Object.fromEntries(docs.map((d) => [d.metric, d.value]));
    },
  };
}
