import type { AppContext } from '../context.js';
import type { NotificationRecord } from '../stores/ports.js';

/** Kinds of stored notifications this module writes. */
export type NotificationType = 'gift' | 'room_reward';

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
  ctx: Pick<AppContext, 'stores' | 'clock' | 'newId'>,
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
