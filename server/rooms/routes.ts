import type { Router } from 'express';
import { createRoomBody, id, pageQuery, roomTargetBody } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';

/** REST side of rooms: create, list, read, members, invites, moderators, kick and ban. */
export function roomRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  const rooms = ctx.roomService;
  const param = (value: unknown): string => parseOrThrow(id, value, false);

  api.post('/rooms', auth, async (req, res) => {
    const body = parseOrThrow(createRoomBody, req.body);
    res.status(201).json({ room: await rooms.create(authOf(req).userId, body) });
  });

  api.get('/rooms', auth, async (req, res) => {
    const q = parseOrThrow(pageQuery, req.query, false);
    res.json(await rooms.list(authOf(req).userId, q));
  });

  api.get('/rooms/:id', auth, async (req, res) => {
    res.json(await rooms.get(authOf(req).userId, param(req.params['id'])));
  });

  api.get('/rooms/:id/members', auth, async (req, res) => {
    res.json({ members: await rooms.members(authOf(req).userId, param(req.params['id'])) });
  });

  api.post('/rooms/:id/invites', auth, async (req, res) => {
    const roomId = param(req.params['id']);
    const { userId } = parseOrThrow(roomTargetBody, req.body);
    await rooms.invite(authOf(req).userId, roomId, userId);
    res.status(201).json({ roomId, userId });
  });

  api.post('/rooms/:id/moderators', auth, async (req, res) => {
    const { userId } = parseOrThrow(roomTargetBody, req.body);
    res.json({ member: await rooms.setModerator(authOf(req).userId, param(req.params['id']), userId, true) });
  });

  api.delete('/rooms/:id/moderators/:userId', auth, async (req, res) => {
    res.json({ member: await rooms.setModerator(authOf(req).userId, param(req.params['id']), param(req.params['userId']), false) });
  });

  api.post('/rooms/:id/kick', auth, async (req, res) => {
    const roomId = param(req.params['id']);
    const { userId } = parseOrThrow(roomTargetBody, req.body);
    await rooms.kick(authOf(req).userId, roomId, userId);
    res.json({ roomId, userId });
  });

  api.post('/rooms/:id/bans', auth, async (req, res) => {
    const roomId = param(req.params['id']);
    const { userId } = parseOrThrow(roomTargetBody, req.body);
    await rooms.ban(authOf(req).userId, roomId, userId);
    res.status(201).json({ roomId, userId });
  });

  api.delete('/rooms/:id/bans/:userId', auth, async (req, res) => {
    const roomId = param(req.params['id']);
    const userId = param(req.params['userId']);
    const { lifted } = await rooms.unban(authOf(req).userId, roomId, userId);
    res.json({ roomId, userId, lifted });
  });
}
