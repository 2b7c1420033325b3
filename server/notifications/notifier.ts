import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { NotificationRecord, RecordStores } from '../stores/ports.js';

/** Kinds of stored notifications this module writes. */
// 'mention': an @username in a message (issue 10, server/messages/service.ts).
export type NotificationType = 'gift' | 'room_reward' | 'mention';

/** What clients get from `GET /api/notifications`. */
export interface NotificationView {
  id: string;
  type: string;
  data: Record<string, unknown>;
  read: boolean;
  readAt: string | null;
  createdAt: string;
}

/**
 * Stores a notification for `userId` (id from ctx.newId, time from ctx.clock) so that it can be
 * listed later even if no socket was open when the live event went out.
 */
export async function storeNotification(
  ctx: { stores: Pick<RecordStores, 'notifications'>; clock: Clock; newId: IdGenerator },
  userId: string,
  type: NotificationType,
  data: Record<string, unknown>,
): Promise<NotificationRecord> {
  const record: NotificationRecord = { id: ctx.newId(), userId, type, data, readAt: null, createdAt: ctx.clock.now() };
  await ctx.stores.notifications.create(record);
  return record;
}

export function notificationView(n: NotificationRecord): NotificationView {
  return {
    id: n.id,
    type: n.type,
    data: n.data,
    read: n.readAt !== null,
    readAt: n.readAt ? n.readAt.toISOString() : null,
    createdAt: n.createdAt.toISOString(),
  };
}
