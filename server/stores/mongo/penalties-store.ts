import { Schema, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { IpRegistration, PenaltyRecord, PenaltyStore } from '../../abuse/ports.js';
import { PENALTIES_PER_USER_MAX } from '../../abuse/ports.js';
import { isDuplicateKey, isDuplicateKeyOn } from './errors.js';
import { SCHEMA_OPTIONS, modelOn, readiness } from './model.js';

type PenaltyDoc = Omit<PenaltyRecord, 'id'> & { _id: string };
type RegistrationDoc = Omit<IpRegistration, 'userId'> & { _id: string };

const REQUEST_INDEX = 'userId_requestId_unique';

const penaltySchema = new Schema<PenaltyDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    sequence: { type: Number, required: true },
    action: { type: String, enum: ['warning', 'earning_suspension', 'token_reset', 'account_ban'], required: true },
    severe: { type: Boolean, required: true },
    reason: { type: String, required: true },
    actorId: { type: String, required: true },
    requestId: { type: String, required: true },
    suspendedUntil: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'abuse_penalties' },
);
penaltySchema.index({ userId: 1, sequence: 1 }, { unique: true, name: 'userId_sequence_unique' });
penaltySchema.index({ userId: 1, requestId: 1 }, { unique: true, name: REQUEST_INDEX });

const registrationSchema = new Schema<RegistrationDoc>(
  {
    _id: { type: String, required: true },
    ip: { type: String, required: true },
    day: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'abuse_registrations' },
);
registrationSchema.index({ ip: 1, day: 1, _id: 1 }, { name: 'ip_day_id' });
registrationSchema.index({ ip: 1, _id: -1 }, { name: 'ip_id' });

const penaltyFromDoc = (d: PenaltyDoc): PenaltyRecord => ({
  id: d._id,
  userId: d.userId,
  sequence: d.sequence,
  action: d.action,
  severe: d.severe,
  reason: d.reason,
  actorId: d.actorId,
  requestId: d.requestId,
  suspendedUntil: d.suspendedUntil ?? null,
  createdAt: d.createdAt,
});

const registrationFromDoc = (d: RegistrationDoc): IpRegistration => ({ userId: d._id, ip: d.ip, day: d.day, createdAt: d.createdAt });

/** Penalties and registration addresses on MongoDB; the unique indexes decide races. */
export function createMongoPenaltyStore(connection: Connection, builds: IndexBuilds): PenaltyStore {
  const Penalties = modelOn(connection, 'AbusePenalty', penaltySchema);
  const Registrations = modelOn(connection, 'AbuseRegistration', registrationSchema);
  const ready = readiness(builds, [Penalties, Registrations]);

  return {
    async insert(p) {
      await ready();
      const { id, ...rest } = p;
      try {
        await Penalties.create([{ _id: id, ...rest }]);
        return { status: 'inserted' };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // The request index wins over the sequence index: a retry must see its own first record.
        const existing = await Penalties.findOne({ userId: p.userId, requestId: p.requestId }).lean<PenaltyDoc>();
        if (existing) return { status: 'duplicate', existing: penaltyFromDoc(existing) };
        if (isDuplicateKeyOn(err, REQUEST_INDEX)) throw err;
        return { status: 'sequence_taken' };
      }
    },
    async list(userId) {
      await ready();
      const docs = await Penalties.find({ userId }).sort({ sequence: 1 }).limit(PENALTIES_PER_USER_MAX).lean<PenaltyDoc[]>();
      return docs.map(penaltyFromDoc);
    },
    async recordRegistration(r) {
      await ready();
      // Insert-if-absent: the first address recorded for an account is the one kept.
      await Registrations.updateOne({ _id: r.userId }, { $setOnInsert: { ip: r.ip, day: r.day, createdAt: r.createdAt } }, { upsert: true }).catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
    },
    async registrationRank(ip, day, userId) {
      await ready();
      return Registrations.countDocuments({ ip, day, _id: { $lte: userId } });
    },
    async registrationsFrom(ip, limit) {
      await ready();
      const docs = await Registrations.find({ ip }).sort({ _id: -1 }).limit(limit).lean<RegistrationDoc[]>();
      return docs.map(registrationFromDoc);
    },
    async registrationOf(userId) {
      await ready();
      const doc = await Registrations.findById(userId).lean<RegistrationDoc>();
      return doc ? registrationFromDoc(doc) : null;
    },
  };
}
