import type { DirectRoomView } from '../../shared/events.js';
import type { AppContext } from '../context.js';
import { AppError } from '../lib/app-error.js';
import { roomViewsWithEffects } from '../shop/room-effects.js';
import { withReadStates } from './read-counts.js';
import { DIRECT_ROOM_OWNER, type DirectRoomRecord, type RoomRecord } from '../stores/ports.js';
import { summaryOf } from '../users/summaries.js';

type Ctx = Pick<AppContext, 'stores' | 'clock' | 'newId' | 'broadcast' | 'userSummaries' | 'purchases' | 'config' | 'shopCatalogue'>;

const DIRECT_PAGE_DEFAULT = 50;

/**
 * Direct messages: the one private room of a pair of users (docs/chat.md "Direct messages").
 * It is a room like any other for messages, files and gifts, but has no owner, no name and no
 * moderators, so nobody can invite, join, leave, rename or moderate it; it is opened here, never
 * by `POST /api/rooms`, and so pays no room-creation or join award and counts toward no room limit.
 */

/** Views of direct rooms, from the same room-view code as the room list, plus the other member. */
export async function directRoomViews(ctx: Ctx, rooms: readonly DirectRoomRecord[]): Promise<DirectRoomView[]> {
  const [views, peers] = await Promise.all([roomViewsWithEffects(ctx, rooms), ctx.userSummaries.many(rooms.map((r) => r.peerId))]);
  return views.map((view, i) => ({ ...view, peer: summaryOf(peers, rooms[i]!.peerId) }));
}

/**
 * Opens (or returns) the direct room of `userId` and `peerId`. Idempotent: every call for a pair,
 * from either side and however concurrent, answers the same room; only the call that created it
 * puts both users' sockets in its channel and sends them `dm:opened`.
 */
export async function openDirectRoom(ctx: Ctx, userId: string, peerId: string): Promise<{ room: DirectRoomView; created: boolean }> {
  if (peerId === userId) throw new AppError('CANNOT_DM_SELF');
  if (!(await ctx.stores.users.findById(peerId))) throw new AppError('USER_NOT_FOUND');
  const candidate: RoomRecord = {
    id: ctx.newId(),
    name: '',
    description: '',
    visibility: 'private',
    ownerId: DIRECT_ROOM_OWNER,
    createdAt: ctx.clock.now(),
  };
  const { room, created } = await ctx.stores.rooms.openDirect(candidate, [userId, peerId]);
  const [mine, theirs] = await directRoomViews(ctx, [
    { ...room, peerId },
    { ...room, peerId: userId },
  ]);
  if (created) {
    ctx.broadcast.joinRoom([userId, peerId], room.id);
    ctx.broadcast.emit({ users: [userId] }, 'dm:opened', { room: mine! });
    ctx.broadcast.emit({ users: [peerId] }, 'dm:opened', { room: theirs! });
  }
  return { room: mine!, created };
}

/** The caller's direct rooms, newest first, each with its unread and mention counts for the caller. */
export async function listDirectRooms(
  ctx: Ctx,
  userId: string,
  q: { before?: string | undefined; limit?: number | undefined },
): Promise<{ dms: DirectRoomView[]; nextCursor: string | null }> {
  const limit = Math.min(q.limit ?? DIRECT_PAGE_DEFAULT, ctx.config.historyPageMax);
  const page = await ctx.stores.rooms.listDirectOf(userId, { limit, ...(q.before ? { before: q.before } : {}) });
  // The caller is a member of every direct room of theirs: each carries its unread and mention
  // counts, as member rooms do on GET /api/rooms (capped at UNREAD_COUNT_MAX, bounded queries).
  const [views, states] = await Promise.all([
    directRoomViews(ctx, page.items),
    ctx.stores.messages.readStates(
      userId,
      page.items.map((r) => r.id),
      ctx.config.unreadCountMax,
    ),
  ]);
  return { dms: withReadStates(views, states), nextCursor: page.nextCursor };
}
