import { roomJoinPayload, roomLeavePayload } from '../../shared/schemas.js';
import type { Feature } from '../feature.js';
import { roomChannel } from '../realtime/channels.js';
import { roomRoutes } from './routes.js';
import { awardAfter, earnKeys } from '../earning/inline.js';

/**
 * Rooms over REST and sockets. `room:join` / `room:leave` move every socket of the user in or out
 * of the room channel; a connecting socket joins the channel of every room its user belongs to
 * before the client sees `connect`.
 */
export const roomsFeature: Feature = {
  name: 'rooms',
  routes: roomRoutes,
  events(registry, ctx) {
    registry.on('room:join', roomJoinPayload, async (socket, p) => {
      const userId = socket.data.auth.userId;
      const { room, role, joined } = await ctx.roomService.join(userId, p.roomId);
      // Joining a room one is already in is no join: NOT_ELIGIBLE. A new membership asks the
      // ledger, whose key is per user and room forever, so a leave and re-join is ALREADY_REWARDED.
      const award = joined
        ? await awardAfter(ctx.awards, ctx.logger, { userId, activity: 'join_room', idempotencyKey: earnKeys.joinRoom(userId, room.id), roomId: room.id })
        : { activity: 'join_room', granted: 0, reason: 'NOT_ELIGIBLE' as const };
      return { room, role, award };
    });
    registry.on('room:leave', roomLeavePayload, async (socket, p) => {
      await ctx.roomService.leave(socket.data.auth.userId, p.roomId);
      return { roomId: p.roomId };
    });
  },
  // Before `connect`, so a new socket misses no message of its rooms (no room:join needed).
  async beforeConnect(socket, ctx) {
    const ids = await ctx.roomService.roomIdsOf(socket.data.auth.userId);
    if (ids.length > 0) await socket.join(ids.map(roomChannel));
  },
};
