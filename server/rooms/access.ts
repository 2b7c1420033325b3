import { AppError } from '../lib/app-error.js';
import { isDirectRoom, type MembershipRecord, type RoomRecord, type RoomStore } from '../stores/ports.js';

/** A room the caller may see, with the caller's membership (null when not a member). */
export interface RoomAccess {
  room: RoomRecord;
  membership: MembershipRecord | null;
}

/**
 * Loads a room as `userId` sees it. A private room is visible to its members and invitees only;
 * anyone else gets ROOM_NOT_FOUND, exactly as for an unknown id, so ids do not leak existence.
 */
export async function visibleRoom(rooms: RoomStore, roomId: string, userId: string): Promise<RoomAccess> {
  const [room, membership] = await Promise.all([rooms.findById(roomId), rooms.getMembership(roomId, userId)]);
  if (!room) throw new AppError('ROOM_NOT_FOUND');
  if (room.visibility === 'private' && !membership && !(await rooms.hasInvite(roomId, userId))) throw new AppError('ROOM_NOT_FOUND');
  return { room, membership };
}

/** Like `visibleRoom`, but the caller must be a member (NOT_A_MEMBER otherwise). */
export async function memberRoom(rooms: RoomStore, roomId: string, userId: string): Promise<RoomAccess & { membership: MembershipRecord }> {
  const access = await visibleRoom(rooms, roomId, userId);
  if (!access.membership) throw new AppError('NOT_A_MEMBER');
  return { room: access.room, membership: access.membership };
}

/** The caller must be the owner or a moderator (never so in a direct room: DIRECT_ROOM_FIXED). */
export async function moderatorRoom(rooms: RoomStore, roomId: string, userId: string): Promise<RoomAccess & { membership: MembershipRecord }> {
  const access = await memberRoom(rooms, roomId, userId);
  // A direct room has two plain members and nobody to moderate it (issue 10, h10a).
  if (isDirectRoom(access.room)) throw new AppError('DIRECT_ROOM_FIXED');
  if (access.membership.role === 'member') throw new AppError('NOT_ROOM_MODERATOR');
  return access;
}
