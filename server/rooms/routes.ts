import type { Router } from 'express';
import { createRoomBody, id, pageQuery, roomCustomizationBody, roomTargetBody } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import { AppError } from '../lib/app-error.js';
import type { AppContext } from '../context.js';
import { awardAfter, earnKeys } from '../earning/inline.js';
import { prioritizeMembers } from './priority.js';
import { customizeRoom, listRoomsBoostedFirst, roomPins, roomViewsWithEffects } from '../shop/room-effects.js';
import { withReadCounts } from './read-counts.js';
import { withOnline } from '../realtime/presence-feature.js';

/** REST side of rooms: create, list, read, members, invites, moderators, kick and ban. */
export function roomRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  const rooms = ctx.roomService;
  const param = (value: unknown): string => parseOrThrow(id, value, false);

  api.post('/rooms', auth, async (req, res) => {
    const body = parseOrThrow(createRoomBody, req.body);
    const userId = authOf(req).userId;
    const room = await rooms.create(userId, body);
    const award = await awardAfter(ctx.awards, ctx.logger, { userId, activity: 'create_room', idempotencyKey: earnKeys.createRoom(room.id), roomId: room.id, newEvent: true });
    res.status(201).json({ room, award });
  });

  api.get('/rooms', auth, async (req, res) => {
    const q = parseOrThrow(pageQuery, req.query, false);
    // Boosted public rooms first (boost_room_visibility), each with its customization;
    // member rooms carry unread and mention counts (issue 10).
    const userId = authOf(req).userId;
    res.json(await withReadCounts(ctx, userId, await listRoomsBoostedFirst(ctx, userId, q)));
  });

  api.get('/rooms/:id', auth, async (req, res) => {
    const roomId = param(req.params['id']);
    // `get` decides visibility (a private room is ROOM_NOT_FOUND to outsiders); the view adds the shop effects.
    const { role } = await rooms.get(authOf(req).userId, roomId);
    const room = await ctx.stores.rooms.findById(roomId);
    if (!room) throw new AppError('ROOM_NOT_FOUND');
    const [view] = await roomViewsWithEffects(ctx, [room]);
    res.json({ room: view, role });
  });

  api.patch('/rooms/:id/customization', auth, async (req, res) => {
    const body = parseOrThrow(roomCustomizationBody, req.body);
    res.json({ room: await customizeRoom(ctx, authOf(req).userId, param(req.params['id']), body) });
  });

  api.get('/rooms/:id/pins', auth, async (req, res) => {
    const roomId = param(req.params['id']);
    res.json({ roomId, pins: await roomPins(ctx, authOf(req).userId, roomId) });
  });

  api.get('/rooms/:id/members', auth, async (req, res) => {
    // Tier priority in rooms (issue 10, h10a): silver-and-up members first, higher tiers first;
    // each member with `online` (issue 10, h10b).
    res.json({ members: await withOnline(ctx, prioritizeMembers(ctx.economy.current, await rooms.members(authOf(req).userId, param(req.params['id'])))) });
  });

  api.post('/rooms/:id/invites', auth, async (req, res) => {
    const roomId = param(req.params['id']);
    const { userId } = parseOrThrow(roomTargetBody, req.body);
    await rooms.invite(authOf(req).userId, roomId, userId);
    res.status(201).json({ roomId, userId });
  });

  api.post('/rooms/:id/moderators', auth, async (req, res) => {
    const { userId } = parseOrThrow(roomTargetBody, req.body);
    const roomId = param(req.params['id']);
    const member = await rooms.setModerator(authOf(req).userId, roomId, userId, true);
    // Paid to the promoted member once per room, however often they are demoted and promoted again.
    const award = await awardAfter(ctx.awards, ctx.logger, { userId, activity: 'room_moderator', idempotencyKey: earnKeys.roomModerator(userId, roomId), roomId });
    res.json({ member, award });
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
