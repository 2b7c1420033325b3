import type { RoomView } from '../../shared/events.js';
import type { AppContext } from '../context.js';
import { tierOf } from '../engagement/tier-benefits.js';
import { AppError } from '../lib/app-error.js';
import { createShopPerks } from '../shop/perks.js';
import { roomViewsWithEffects } from '../shop/room-effects.js';
import { isDirectRoom, type MembershipRecord, type RoomRecord } from '../stores/ports.js';
import { memberRoom } from './access.js';

type Ctx = Pick<AppContext, 'stores' | 'clock' | 'broadcast' | 'purchases' | 'ledger' | 'economy' | 'shopCatalogue'>;

/**
 * Room management by the owner (docs/chat.md "Room management"): rename and describe, transfer
 * ownership to a member, delete. Members hear every change live on the room channel. A direct
 * room has no owner, so all of this is DIRECT_ROOM_FIXED there.
 */

/** The caller must own the room, and it must not be a direct room. */
async function ownedRoom(ctx: Ctx, roomId: string, userId: string): Promise<{ room: RoomRecord; membership: MembershipRecord }> {
  const access = await memberRoom(ctx.stores.rooms, roomId, userId);
  if (isDirectRoom(access.room)) throw new AppError('DIRECT_ROOM_FIXED');
  if (access.membership.role !== 'owner') throw new AppError('NOT_ROOM_OWNER');
  return access;
}

async function viewOf(ctx: Ctx, room: RoomRecord): Promise<RoomView> {
  const [view] = await roomViewsWithEffects(ctx, [room]);
  if (!view) throw new Error(`room ${room.id} has no view`);
  return view;
}

/** Renames and/or re-describes the room; members get `room:updated`. */
export async function updateRoomDetails(ctx: Ctx, userId: string, roomId: string, details: { name?: string | undefined; description?: string | undefined }): Promise<RoomView> {
  await ownedRoom(ctx, roomId, userId);
  const updated = await ctx.stores.rooms.updateDetails(roomId, {
    ...(details.name !== undefined ? { name: details.name } : {}),
    ...(details.description !== undefined ? { description: details.description } : {}),
  });
  if (!updated) throw new AppError('ROOM_NOT_FOUND');
  const room = await viewOf(ctx, updated);
  ctx.broadcast.emit({ rooms: [roomId] }, 'room:updated', { roomId, room, by: userId });
  return room;
}

/**
 * Hands the room to another member, who must be allowed one more room by their tier (rooms_max,
 * lifted by unlimited_rooms), so a transfer cannot carry rooms past a tier limit. The former
 * owner stays as a moderator. Members get `room:owner-changed`.
 */
export async function transferRoom(ctx: Ctx, userId: string, roomId: string, targetId: string): Promise<RoomView> {
  await ownedRoom(ctx, roomId, userId);
  if (targetId === userId) throw new AppError('CANNOT_TARGET_OWNER');
  if (!(await ctx.stores.rooms.getMembership(roomId, targetId))) throw new AppError('TARGET_NOT_A_MEMBER');
  await requireRoomAllowance(ctx, targetId);
  // The store moves ownership only while the caller still owns the room and the target is still a member.
  if (!(await ctx.stores.rooms.transferOwnership(roomId, userId, targetId))) {
    if (!(await ctx.stores.rooms.getMembership(roomId, targetId))) throw new AppError('TARGET_NOT_A_MEMBER');
    throw new AppError('NOT_ROOM_OWNER');
  }
  const room = await ctx.stores.rooms.findById(roomId);
  if (!room) throw new AppError('ROOM_NOT_FOUND');
  ctx.broadcast.emit({ rooms: [roomId] }, 'room:owner-changed', { roomId, from: userId, to: targetId });
  return viewOf(ctx, room);
}

async function requireRoomAllowance(ctx: Ctx, userId: string): Promise<void> {
  const perks = createShopPerks({ purchases: ctx.purchases, clock: ctx.clock, effects: ctx.shopCatalogue });
  const { tier, benefits } = await tierOf({ ledger: ctx.ledger, economy: ctx.economy, perks }, userId);
  if (benefits.roomsMax === null || (await perks.active(userId)).unlimitedRooms) return;
  const owned = await ctx.stores.rooms.countOwnedBy(userId);
  if (owned >= benefits.roomsMax) throw new AppError('ROOM_LIMIT_REACHED', 'The new owner has reached the number of rooms their tier allows', { tier, roomsMax: benefits.roomsMax, owned });
}

/** Deletes the room: its members get `room:deleted` and leave its channel on every node. */
export async function deleteRoom(ctx: Ctx, userId: string, roomId: string): Promise<void> {
  await ownedRoom(ctx, roomId, userId);
  await ctx.stores.rooms.deleteRoom(roomId);
  ctx.broadcast.emit({ rooms: [roomId] }, 'room:deleted', { roomId, by: userId });
  ctx.broadcast.closeRoom(roomId);
}
