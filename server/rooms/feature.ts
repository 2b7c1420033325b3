import { roomJoinPayload, roomLeavePayload } from '../../shared/schemas.js';
import type { Feature } from '../feature.js';
import { roomChannel } from '../realtime/channels.js';
import { roomRoutes } from './routes.js';
import { awardRoomJoin } from '../earning/inline.js';
import { roomManagementRoutes } from './management-routes.js';
import { directRoutes } from './direct-routes.js';

/**
 * Rooms over REST and sockets. `room:join` / `room:leave` move every socket of the user in or out
 * of the room channel; a connecting socket joins the channel of every room its user belongs to
 * before the client sees `connect`.
 */
export const roomsFeature: Feature = {
  name: 'rooms',
  routes(api, ctx) {
    roomRoutes(api, ctx);
    // Room management and direct messages (issue 10, h10a).
    roomManagementRoutes(api, ctx);
    directRoutes(api, ctx);
  },
  events(registry, ctx) {
    registry.on('room:join', roomJoinPayload, async (socket, p) => {
      const userId = socket.data.auth.userId;
      const { room, role, joined, firstJoin } = await ctx.roomService.join(userId, p.roomId);
      const award = await awardRoomJoin(ctx.awards, ctx.logger, { userId, roomId: room.id, joined, firstJoin });
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
