import type { Router } from 'express';
import { id, pageQuery } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';

/** `GET /api/rooms/:id/messages?before=<id>&limit=<n>`: history for members. */
export function messageRoutes(api: Router, ctx: AppContext): void {
  api.get('/rooms/:id/messages', requireAuth(ctx.authenticate), async (req, res) => {
    const roomId = parseOrThrow(id, req.params['id'], false);
    const q = parseOrThrow(pageQuery, req.query, false);
    res.json(await ctx.messageService.history(authOf(req).userId, roomId, q));
  });
}
