import type { Router } from 'express';
import { markNotificationsReadBody, notificationsQuery } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';
import { notificationView } from './notifier.js';

const DEFAULT_PAGE = 50;

/** The caller's own notifications: newest first, optionally unread only; marking read by id. */
export function notificationRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);

  api.get('/notifications', auth, async (req, res) => {
    const q = parseOrThrow(notificationsQuery, req.query, false);
    const limit = Math.min(q.limit ?? DEFAULT_PAGE, ctx.config.historyPageMax);
    const unreadOnly = q.unread === 'true' || q.unread === '1';
    const page = await ctx.stores.notifications.list(authOf(req).userId, { unreadOnly, limit, ...(q.before ? { before: q.before } : {}) });
    res.json({ items: page.items.map(notificationView), nextCursor: page.nextCursor });
  });

  api.post('/notifications/read', auth, async (req, res) => {
    const { ids } = parseOrThrow(markNotificationsReadBody, req.body);
    const updated = await ctx.stores.notifications.markRead(authOf(req).userId, [...new Set(ids)], ctx.clock.now());
    res.json({ updated });
  });
}

export const notificationsFeature: Feature = { name: 'notifications', routes: notificationRoutes };
