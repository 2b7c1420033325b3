import type { MemberView } from '../../shared/events.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';
import { roomChannel } from './channels.js';
import type { AppSocket } from './types.js';

/** The rooms a socket's channels say it is in (its user's rooms: joined by the rooms feature before `connect`). */
function roomIdsOf(socket: AppSocket): string[] {
  const prefix = roomChannel('');
  return [...socket.rooms].filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length));
}

/**
 * Tells every room `userId` is a member of that they came online or went offline. `roomIds`
 * saves the store read when the caller has them (a socket's rooms); a socket that shares several
 * of those rooms gets one copy (ctx.broadcast).
 */
export async function announcePresence(ctx: Pick<AppContext, 'broadcast' | 'roomService' | 'logger'>, userId: string, online: boolean, roomIds?: string[]): Promise<void> {
  try {
    const rooms = roomIds ?? (await ctx.roomService.roomIdsOf(userId));
    ctx.broadcast.emit({ rooms }, 'presence', { userId, online });
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
      const rooms = roomIdsOf(socket);
      void (async () => {
        await recorded.catch(() => false);
        if (await ctx.presence.disconnected(userId, socket.id)) await announcePresence(ctx, userId, false, rooms);
      })().catch((err: unknown) => ctx.logger.warn({ err, userId }, 'presence disconnect failed'));
    });
    if (await recorded) await announcePresence(ctx, userId, true, roomIdsOf(socket));
  },
};
