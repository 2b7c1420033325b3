import { Schema, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import { ADMIN_ACTIONS, type AdminAuditRecord, type AdminAuditStore } from '../../admin/ports.js';
import { checkPageLimit, toPage } from '../page.js';
import { isDuplicateKey } from './errors.js';
import { SCHEMA_OPTIONS, modelOn, olderThan, readiness } from './model.js';

type AuditDoc = Omit<AdminAuditRecord, 'id'> & { _id: string };

const auditSchema = new Schema<AuditDoc>(
  {
    _id: { type: String, required: true },
    action: { type: String, enum: [...ADMIN_ACTIONS], required: true },
    actorId: { type: String, required: true },
    targetUserId: { type: String, required: true },
    reason: { type: String, required: true },
    requestId: { type: String, required: true },
    subjectId: { type: String, default: null },
    details: { type: Schema.Types.Mixed, default: {} },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'admin_audit_log', minimize: false },
);
auditSchema.index({ action: 1, requestId: 1 }, { unique: true, name: 'action_requestId_unique' });
auditSchema.index({ targetUserId: 1, _id: -1 }, { name: 'target_id' });
auditSchema.index({ action: 1, _id: -1 }, { name: 'action_id' });

const fromDoc = (d: AuditDoc): AdminAuditRecord => ({
  id: d._id,
  action: d.action,
  actorId: d.actorId,
  targetUserId: d.targetUserId,
  reason: d.reason,
  requestId: d.requestId,
  subjectId: d.subjectId ?? null,
  details: d.details ?? {},
  createdAt: d.createdAt,
});

/**
 * The admin audit log on MongoDB (collection `admin_audit_log`). Only inserts and reads are
 * issued: nothing in the application updates or deletes a record. One small document per
 * action, so no document is hot.
 */
export function createMongoAdminAuditStore(connection: Connection, builds: IndexBuilds): AdminAuditStore {
  const Audit = modelOn(connection, 'AdminAudit', auditSchema);
  const ready = readiness(builds, [Audit]);
  return {
    async append(r) {
      await ready();
      const { id, ...rest } = r;
      try {
        await Audit.create([{ _id: id, ...rest }]);
        return { status: 'inserted' };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await Audit.findOne({ action: r.action, requestId: r.requestId }).lean<AuditDoc>();
        if (!existing) throw err;
        return { status: 'duplicate', existing: fromDoc(existing) };
      }
    },
    async list(q) {
      checkPageLimit(q.limit);
      await ready();
      const filter = { ...(q.targetUserId !== undefined ? { targetUserId: q.targetUserId } : {}), ...(q.action !== undefined ? { action: q.action } : {}), ...olderThan(q.before) };
      const docs = await Audit.find(filter).sort({ _id: -1 }).limit(q.limit + 1).lean<AuditDoc[]>();
      return toPage(docs.map(fromDoc), q.limit);
    },
  };
}
