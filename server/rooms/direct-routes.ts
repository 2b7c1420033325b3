import type { Router } from 'express';
import { openDirectBody, pageQuery } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';
import { listDirectRooms, openDirectRoom } from './direct.js';

/**
 * `POST /api/dms {userId}`: 201 `{room, created: true}` when the direct room is new, 200
 * `{room, created: false}` when the pair already had one. `GET /api/dms?before=&limit=`:
 * `{dms, nextCursor}`, the caller's direct rooms, newest first.
 */
export function directRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);

  api.post('/dms', auth, async (req, res) => {
    const { userId } = parseOrThrow(openDirectBody, req.body);
    const { room, created } = await openDirectRoom(ctx, authOf(req).userId, userId);
    res.status(created ? 201 : 200).json({ room, created });
  });

  api.get('/dms', auth, async (req, res) => {
    const q = parseOrThrow(pageQuery, req.query, false);
    res.json(await listDirectRooms(ctx, authOf(req).userId, q));
  });
}
