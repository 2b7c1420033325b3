import type { MemberView } from '../../shared/events.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';
import { roomChannel } from './channels.js';
import type { AppSocket } from './types.js';

/** The room channels a socket is in (its user's rooms: joined by the rooms feature before `connect`). */
function roomChannelsOf(socket: AppSocket): string[] {
  return [...socket.rooms].filter((r) => r.startsWith('room:'));
}

/**
 * Tells every room `userId` is a member of that they came online or went offline. `channels`
 * saves the store read when the caller has them (a socket's rooms); Socket.IO sends one copy to a
 * socket that shares several of those rooms.
 */
export async function announcePresence(ctx: Pick<AppContext, 'io' | 'roomService' | 'logger'>, userId: string, online: boolean, channels?: string[]): Promise<void> {
  try {
    const targets = channels ?? (await ctx.roomService.roomIdsOf(userId)).map(roomChannel);
    if (targets.length > 0) ctx.io.to(targets).emit('presence', { userId, online });
  } catch (err) {
    ctx.logger.warn({ err, userId }, 'presence announcement failed');
  }
}

/** Members with their `online` flag, from one presence lookup for the whole list. */
export async function withOnline(ctx: Pick<AppContext, 'presence'>, members: MemberView[]): Promise<MemberView[]> {
  const online = await ctx.presence.onlineOf(members.map((m) => m.user.id));
  return members.map((m) => ({ ...m, online: online.has(m.user.id) }));
}

/**
 * Presence: `presence {userId, online}` to the user's rooms when their first socket connects
 * (on any node) and when their last one closes. A close waits for its own connect to be recorded,
 * so a socket that drops at once never leaves an entry behind.
 */
export const presenceFeature: Feature = {
  name: 'presence',
  async onConnect(socket, ctx) {
    const userId = socket.data.auth.userId;
    const recorded = ctx.presence.connected(userId, socket.id);
    socket.on('disconnecting', () => {
      const channels = roomChannelsOf(socket);
      void (async () => {
        await recorded.catch(() => false);
        if (await ctx.presence.disconnected(userId, socket.id)) await announcePresence(ctx, userId, false, channels);
      })().catch((err: unknown) => ctx.logger.warn({ err, userId }, 'presence disconnect failed'));
    });
    if (await recorded) await announcePresence(ctx, userId, true, roomChannelsOf(socket));
  },
};
