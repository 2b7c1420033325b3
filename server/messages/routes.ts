import type { Router } from 'express';
import { id, messageListQuery } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';

/**
 * `GET /api/rooms/:id/messages` for members: `?before=<id>&limit=<n>` pages history back,
 * `?after=<id>` catches up on what was missed (messages after it plus the edits and deletions
 * since), `?q=<words>` searches (paged with `before`).
 */
export function messageRoutes(api: Router, ctx: AppContext): void {
  api.get('/rooms/:id/messages', requireAuth(ctx.authenticate), async (req, res) => {
    const roomId = parseOrThrow(id, req.params['id'], false);
    const q = parseOrThrow(messageListQuery, req.query, false);
    const userId = authOf(req).userId;
    if (q.after) return void res.json(await ctx.messageService.catchUp(userId, roomId, { after: q.after, limit: q.limit }));
    if (q.q) return void res.json(await ctx.messageService.search(userId, roomId, q.q, q));
    res.json(await ctx.messageService.history(userId, roomId, q));
  });
}
