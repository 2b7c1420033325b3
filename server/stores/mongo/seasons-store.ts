import { Schema, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { SeasonRewardTier } from '../../../shared/seasons.js';
import { checkSeasonListLimit, type SeasonRecord, type SeasonStore, type StandingRecord } from '../../seasons/ports.js';
import { SCHEMA_OPTIONS, modelOn, readiness } from './model.js';
import { runInTransaction } from './transaction.js';

type SeasonDoc = Omit<SeasonRecord, 'id'> & { _id: string };
/** `_id` is `<seasonId>:<rank>`: one document per standing, so a second archive of a rank cannot insert. */
type StandingDoc = StandingRecord & { _id: string };

const rewardTierSchema = new Schema<SeasonRewardTier>({ fromRank: Number, toRank: Number, tokens: Number }, { _id: false });

const seasonSchema = new Schema<SeasonDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    multiplier: { type: Number, default: null },
    rewards: { type: [rewardTierSchema], required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    closedAt: { type: Date, default: null },
    paidAt: { type: Date, default: null },
  },
  { ...SCHEMA_OPTIONS, collection: 'seasons' },
);
seasonSchema.index({ endsAt: 1 }, { name: 'endsAt' });
seasonSchema.index({ startsAt: -1, _id: -1 }, { name: 'startsAt_id' });

const standingSchema = new Schema<StandingDoc>(
  {
    _id: { type: String, required: true },
    seasonId: { type: String, required: true },
    userId: { type: String, required: true },
    rank: { type: Number, required: true, min: 1 },
    earned: { type: Number, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'season_standings' },
);
standingSchema.index({ seasonId: 1, rank: 1 }, { name: 'seasonId_rank' });
standingSchema.index({ userId: 1, rank: 1, earned: -1 }, { name: 'userId_rank' });

const fromDoc = ({ _id, ...rest }: SeasonDoc): SeasonRecord => ({
  id: _id,
  ...rest,
  rewards: rest.rewards.map((r) => ({ fromRank: r.fromRank, toRank: r.toRank, tokens: r.tokens })),
});
const fromStanding = (d: StandingDoc): StandingRecord => ({ seasonId: d.seasonId, userId: d.userId, rank: d.rank, earned: d.earned });

/**
 * Seasons over MongoDB. A season document is written three times in its life (create, close,
 * paid), never by the award path, so it is no hot document. `archive` is one transaction: the
 * guarded `closedAt: null` update decides which caller archives, and the standings go in with it.
 */
export function createMongoSeasonStore(connection: Connection, builds: IndexBuilds): SeasonStore {
  const Seasons = modelOn(connection, 'Season', seasonSchema);
  const Standings = modelOn(connection, 'SeasonStanding', standingSchema);
  const ready = readiness(builds, [Seasons, Standings]);

  return {
    async create(s) {
      await ready();
      const { id, ...rest } = s;
      await Seasons.create([{ _id: id, ...rest, closedAt: null, paidAt: null }]);
      const doc = await Seasons.findById(id).lean<SeasonDoc | null>();
      if (!doc) throw new Error(`season ${id} not readable after insert`);
      return fromDoc(doc);
    },
    async findById(id) {
      const doc = await Seasons.findById(id).lean<SeasonDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async list(limit) {
      checkSeasonListLimit(limit);
      return (await Seasons.find({}).sort({ startsAt: -1, _id: -1 }).limit(limit).lean<SeasonDoc[]>()).map(fromDoc);
    },
    async withMultiplierNotEnded(at, limit) {
      checkSeasonListLimit(limit);
      return (await Seasons.find({ endsAt: { $gt: at }, multiplier: { $ne: null } }).sort({ endsAt: 1 }).limit(limit).lean<SeasonDoc[]>()).map(fromDoc);
    },
    async dueToClose(endedBy, limit) {
      checkSeasonListLimit(limit);
      return (await Seasons.find({ endsAt: { $lte: endedBy }, paidAt: null }).sort({ endsAt: 1 }).limit(limit).lean<SeasonDoc[]>()).map(fromDoc);
    },
    async archive(seasonId, rows, at) {
      await ready();
      return runInTransaction(connection, async (session) => {
        const closed = await Seasons.updateOne({ _id: seasonId, closedAt: null }, { $set: { closedAt: at } }, { session });
        if (closed.modifiedCount !== 1) return false;
        if (rows.length > 0) await Standings.insertMany(rows.map((r) => ({ _id: `${r.seasonId}:${r.rank}`, ...r })), { session });
        return true;
      });
    },
    async standings(seasonId, limit) {
      return (await Standings.find({ seasonId }).sort({ rank: 1 }).limit(limit).lean<StandingDoc[]>()).map(fromStanding);
    },
    async markPaid(seasonId, at) {
      await Seasons.updateOne({ _id: seasonId, paidAt: null }, { $set: { paidAt: at } });
    },
    async resultsOf(userId, limit) {
      checkSeasonListLimit(limit);
      return (await Standings.find({ userId }).sort({ rank: 1, earned: -1, seasonId: 1 }).limit(limit).lean<StandingDoc[]>()).map(fromStanding);
    },
  };
}
