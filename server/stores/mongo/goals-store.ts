import { Schema, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { Contribution, GoalRecord, GoalStore } from '../../goals/ports.js';
import { applyContribution } from '../../goals/rules.js';
import { isDuplicateKeyOn } from './errors.js';
import { SCHEMA_OPTIONS, modelOn, readiness } from './model.js';
import { runInTransaction } from './transaction.js';

type GoalDoc = Omit<GoalRecord, 'id'> & { _id: string };
/** `_id` is `<goalId>:<userId>`: one small document per contributor, incremented with `$inc`. */
interface ContributionDoc {
  _id: string;
  goalId: string;
  userId: string;
  points: number;
}

const ONE_ACTIVE_PER_ROOM = 'roomId_active_unique';

const goalSchema = new Schema<GoalDoc>(
  {
    _id: { type: String, required: true },
    roomId: { type: String, required: true },
    title: { type: String, default: null },
    target: { type: Number, required: true, min: 1 },
    levels: { type: Number, required: true, min: 1 },
    points: { type: Number, required: true },
    level: { type: Number, required: true },
    deadline: { type: Date, required: true },
    bonusTokens: { type: Number, required: true, min: 0 },
    status: { type: String, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    reachedAt: { type: Date, default: null },
    paidAt: { type: Date, default: null },
  },
  { ...SCHEMA_OPTIONS, collection: 'room_goals' },
);
// At most one active goal per room, whatever the number of nodes creating one at once.
goalSchema.index({ roomId: 1 }, { unique: true, name: ONE_ACTIVE_PER_ROOM, partialFilterExpression: { status: 'active' } });
goalSchema.index({ roomId: 1, _id: -1 }, { name: 'roomId_id' });

const contributionSchema = new Schema<ContributionDoc>(
  {
    _id: { type: String, required: true },
    goalId: { type: String, required: true },
    userId: { type: String, required: true },
    points: { type: Number, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'room_goal_contributions' },
);
contributionSchema.index({ goalId: 1, points: -1, userId: 1 }, { name: 'goalId_points' });

const fromDoc = ({ _id, ...rest }: GoalDoc): GoalRecord => ({ id: _id, ...rest });

/**
 * Room goals over MongoDB. A goal document is written by every contribution in its room (one
 * document per room goal, never a global one); a contribution is one transaction: the guarded
 * `$inc` of the active goal, the level/deadline/status it leads to (decided by the shared
 * applyContribution on the document read in the same transaction), and the contributor's `$inc`.
 * Concurrent contributions conflict on the goal document and the transaction helper retries them,
 * so exactly one sees the target reached.
 */
export function createMongoGoalStore(connection: Connection, builds: IndexBuilds): GoalStore {
  const Goals = modelOn(connection, 'RoomGoal', goalSchema);
  const Contributions = modelOn(connection, 'RoomGoalContribution', contributionSchema);
  const ready = readiness(builds, [Goals, Contributions]);

  return {
    async create(goal) {
      await ready();
      try {
        return await runInTransaction(connection, async (session) => {
          // An active goal past its deadline is expired now: it no longer holds the room's one active slot.
          await Goals.updateMany({ roomId: goal.roomId, status: 'active', deadline: { $lte: goal.createdAt } }, { $set: { status: 'expired' } }, { session });
          const active = await Goals.findOne({ roomId: goal.roomId, status: 'active' }).session(session).lean<GoalDoc | null>();
          if (active) return { created: false as const, existing: fromDoc(active) };
          const { id, ...rest } = goal;
          await Goals.create([{ _id: id, ...rest, points: 0, level: 0, status: 'active', reachedAt: null, paidAt: null }], { session });
          const doc = await Goals.findById(id).session(session).lean<GoalDoc | null>();
          return { created: true as const, goal: fromDoc(doc!) };
        });
      } catch (err) {
        if (!isDuplicateKeyOn(err, ONE_ACTIVE_PER_ROOM)) throw err;
        const existing = await Goals.findOne({ roomId: goal.roomId, status: 'active' }).lean<GoalDoc | null>();
        if (!existing) throw err;
        return { created: false as const, existing: fromDoc(existing) };
      }
    },
    async current(roomId) {
      const doc = await Goals.findOne({ roomId }).sort({ _id: -1 }).lean<GoalDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async contribute(input) {
      await ready();
      // Most rooms have no running goal: one indexed read spares every message a transaction.
      if (!(await Goals.exists({ roomId: input.roomId, status: 'active', deadline: { $gt: input.at } }))) return null;
      return runInTransaction(connection, async (session) => {
        const doc = await Goals.findOneAndUpdate(
          { roomId: input.roomId, status: 'active', deadline: { $gt: input.at } },
          { $inc: { points: input.points } },
          { session, returnDocument: 'before' },
        ).lean<GoalDoc | null>();
        if (!doc) return null;
        const before = fromDoc(doc);
        const { after, reachedNow } = applyContribution(before, input.points, input.at, input.levelExtendMs);
        await Goals.updateOne({ _id: before.id }, { $set: { level: after.level, deadline: after.deadline, status: after.status, reachedAt: after.reachedAt } }, { session });
        await Contributions.updateOne(
          { _id: `${before.id}:${input.userId}` },
          { $inc: { points: input.points }, $setOnInsert: { goalId: before.id, userId: input.userId } },
          { session, upsert: true },
        );
        return { goal: after, levelBefore: before.level, reachedNow };
      });
    },
    async contributors(goalId, limit): Promise<Contribution[]> {
      const docs = await Contributions.find({ goalId }).sort({ points: -1, userId: 1 }).limit(limit).lean<ContributionDoc[]>();
      return docs.map((d) => ({ userId: d.userId, points: d.points }));
    },
    async cancel(roomId, at) {
      const doc = await Goals.findOneAndUpdate({ roomId, status: 'active', deadline: { $gt: at } }, { $set: { status: 'cancelled' } }, { returnDocument: 'after' }).lean<GoalDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async markPaid(goalId, at) {
      await Goals.updateOne({ _id: goalId, paidAt: null }, { $set: { paidAt: at } });
    },
  };
}
