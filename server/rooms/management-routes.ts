import type { Router } from 'express';
import { id, transferRoomBody, updateRoomBody } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';
import { deleteRoom, transferRoom, updateRoomDetails } from './management.js';

/**
 * Owner-only room management: `PATCH /api/rooms/:id {name?, description?}` -> `{room}`,
 * `POST /api/rooms/:id/owner {userId}` -> `{room}`, `DELETE /api/rooms/:id` -> `{roomId, deleted: true}`.
 */
export function roomManagementRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  const param = (value: unknown): string => parseOrThrow(id, value, false);

  api.patch('/rooms/:id', auth, async (req, res) => {
    const body = parseOrThrow(updateRoomBody, req.body);
    res.json({ room: await updateRoomDetails(ctx, authOf(req).userId, param(req.params['id']), body) });
  });

  api.post('/rooms/:id/owner', auth, async (req, res) => {
    const { userId } = parseOrThrow(transferRoomBody, req.body);
    res.json({ room: await transferRoom(ctx, authOf(req).userId, param(req.params['id']), userId) });
  });

  api.delete('/rooms/:id', auth, async (req, res) => {
    const roomId = param(req.params['id']);
    await deleteRoom(ctx, authOf(req).userId, roomId);
    res.json({ roomId, deleted: true });
  });
}
