import { typingPayload } from '../../shared/schemas.js';
import type { Feature } from '../feature.js';
import { AppError } from '../lib/app-error.js';
import { memberRoom } from '../rooms/access.js';
import { summaryOf } from '../users/summaries.js';
import { roomChannel } from './channels.js';

/**
 * `typing {roomId}`: members tell the room they are typing. The room's other sockets get
 * `typing {roomId, user, expiresAt}` and forget it at `expiresAt` (TYPING_TTL_MS) unless renewed.
 * One relayed notice per user and room per TYPING_THROTTLE_MS across nodes; a faster one is
 * refused RATE_LIMITED with `details.retryAfterMs` and relays nothing. Nothing is stored.
 */
export const typingFeature: Feature = {
  name: 'typing',
  events(registry, ctx) {
    const throttle = ctx.throttle;
    registry.on('typing', typingPayload, async (socket, p) => {
      const userId = socket.data.auth.userId;
      // A socket is in a room's channel exactly while its user is a member: the cheap check. Only
      // when it is not (a non-member, or a join still reaching this socket) is the store asked,
      // which also gives the exact refusal (ROOM_NOT_FOUND for a hidden private room).
      if (!socket.rooms.has(roomChannel(p.roomId))) await memberRoom(ctx.stores.rooms, p.roomId, userId);
      const retryAfterMs = await throttle.pass(`typing:${userId}:${p.roomId}`, ctx.config.typingThrottleMs);
      if (retryAfterMs > 0) throw new AppError('RATE_LIMITED', 'Typing notices are throttled', { retryAfterMs });
      const user = summaryOf(await ctx.userSummaries.many([userId]), userId);
      const expiresAt = new Date(ctx.clock.now().getTime() + ctx.config.typingTtlMs).toISOString();
      // Volatile: a notice that cannot be delivered now is stale by the time it could be, so it is
      // neither buffered nor replayed to a recovering client.
      socket.volatile.to(roomChannel(p.roomId)).emit('typing', { roomId: p.roomId, user, expiresAt });
      return { roomId: p.roomId, expiresAt };
    });
  },
};
