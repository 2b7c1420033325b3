import type { Feature } from '../feature.js';
import { roomChannel } from './channels.js';

/**
 * Connection state recovery (issue 10) restores a socket's room channels as they were when it
 * dropped. A membership may have ended meanwhile (left, kicked, banned on another tab or by a
 * moderator): before the recovered socket sees `connect`, it leaves every room channel its user
 * no longer belongs to (the rooms feature's hook has already joined the current ones).
 */
export const recoveryFeature: Feature = {
  name: 'recovery',
  async beforeConnect(socket, ctx) {
    if (!socket.recovered) return;
    const current = new Set((await ctx.roomService.roomIdsOf(socket.data.auth.userId)).map(roomChannel));
    for (const channel of [...socket.rooms]) {
      if (channel.startsWith('room:') && !current.has(channel)) await socket.leave(channel);
    }
  },
};
