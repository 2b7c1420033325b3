import { roomJoinPayload, roomLeavePayload } from '../../shared/schemas.js';
import type { Feature } from '../feature.js';
import { roomChannel } from '../realtime/channels.js';
import { roomRoutes } from './routes.js';

/**
 * Rooms over REST and sockets. `room:join` / `room:leave` move every socket of the user in or out
 * of the room channel; at connect a socket joins the channel of every room its user belongs to.
 */
export const roomsFeature: Feature = {
  name: 'rooms',
  routes: roomRoutes,
  events(registry, ctx) {
    registry.on('room:join', roomJoinPayload, (socket, p) => ctx.roomService.join(socket.data.auth.userId, p.roomId));
    registry.on('room:leave', roomLeavePayload, async (socket, p) => {
      await ctx.roomService.leave(socket.data.auth.userId, p.roomId);
      return { roomId: p.roomId };
    });
  },
  async onConnect(socket, ctx) {
    const ids = await ctx.roomService.roomIdsOf(socket.data.auth.userId);
    if (ids.length > 0) await socket.join(ids.map(roomChannel));
  },
};
