import { Schema, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { NotificationRecord, NotificationStore } from '../ports.js';
import { checkPageLimit, toPage } from '../page.js';
import { SCHEMA_OPTIONS, modelOn, olderThan, readiness } from './model.js';

type NotificationDoc = Omit<NotificationRecord, 'id'> & { _id: string };

const notificationSchema = new Schema<NotificationDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    type: { type: String, required: true },
    data: { type: Schema.Types.Mixed, default: () => ({}) },
    readAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  // `minimize: false` keeps an empty `data: {}` instead of dropping the field.
  { ...SCHEMA_OPTIONS, collection: 'notifications', minimize: false },
);
notificationSchema.index({ userId: 1, _id: -1 }, { name: 'userId_id' });
notificationSchema.index({ userId: 1, readAt: 1, _id: -1 }, { name: 'userId_readAt_id' });

const fromDoc = (d: NotificationDoc): NotificationRecord => ({
  id: d._id,
  userId: d.userId,
  type: d.type,
  data: d.data ?? {},
  readAt: d.readAt ?? null,
  createdAt: d.createdAt,
});

/** Per-user notifications over MongoDB; `data` is stored as a sub-document. */
export function createMongoNotificationStore(connection: Connection, builds: IndexBuilds): NotificationStore {
  const Notifications = modelOn(connection, 'Notification', notificationSchema);
  const ready = readiness(builds, [Notifications]);

  return {
    async create(n) {
      await ready();
      const doc: NotificationDoc = { _id: n.id, userId: n.userId, type: n.type, data: n.data, readAt: n.readAt, createdAt: n.createdAt };
      await new Notifications(doc).save();
    },
    async list(userId, opts) {
      checkPageLimit(opts.limit);
      const docs = await Notifications.find({ userId, ...(opts.unreadOnly ? { readAt: null } : {}), ...olderThan(opts.before) })
        .sort({ _id: -1 })
        .limit(opts.limit + 1)
        .lean<NotificationDoc[]>();
      return toPage(docs.map(fromDoc), opts.limit);
    },
    async markRead(userId, ids, at) {
      if (ids.length === 0) return 0;
      // `userId` in the filter is what makes another user's ids a no-op.
      const result = await Notifications.updateMany({ userId, _id: { $in: [...ids] }, readAt: null }, { $set: { readAt: at } });
      return result.modifiedCount;
    },
  };
}
