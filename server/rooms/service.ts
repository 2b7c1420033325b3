import type { z } from 'zod';
import type { AwardOutcome, MemberView, RoomView } from '../../shared/events.js';
import type { createRoomBody } from '../../shared/schemas.js';
import type { AppConfig } from '../config/env.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import { isDirectRoom, type MembershipRecord, type RecordStores, type RoomRecord, type RoomRole, type RoomVisibility } from '../stores/ports.js';
import { summaryOf, type UserSummaryResolver } from '../users/summaries.js';
import { memberRoom, moderatorRoom, visibleRoom } from './access.js';
import { toMemberView, toRoomView } from './views.js';

export interface RoomServiceDeps {
  config: Pick<AppConfig, 'historyPageMax'>;
  clock: Clock;
  newId: IdGenerator;
  stores: Pick<RecordStores, 'rooms' | 'users'>;
  /** Server->client events and room subscriptions (server/realtime/broadcaster.ts). */
  broadcast: Broadcaster;
  summaries: UserSummaryResolver;
  /** Refuses a room before it exists (tier rooms_max, private rooms; server/engagement/tier-benefits.ts). */
  creationPolicy: RoomCreationPolicy;
}

/** Throws an AppError when `userId` may not create a room of this visibility now. */
export type RoomCreationPolicy = (userId: string, visibility: RoomVisibility) => Promise<void>;

/** Why a member left, as carried by `room:member-left`. */
export type LeaveReason = 'left' | 'kicked' | 'banned';

const ROOM_PAGE_DEFAULT = 50;

/**
 * Rooms: creation, listing, membership and moderation. Socket channel bookkeeping lives here too,
 * because membership and channel must change together: every socket of a member is in the room
 * channel, and no socket of a non-member is.
 */
export class RoomService {
  constructor(private readonly deps: RoomServiceDeps) {}

  private get rooms() {
    return this.deps.stores.rooms;
  }

  /** Creates a room owned by `userId`; the owner's sockets join its channel at once. */
  async create(userId: string, input: z.output<typeof createRoomBody>): Promise<RoomView> {
    await this.deps.creationPolicy(userId, input.visibility);
    const room: RoomRecord = {
      id: this.deps.newId(),
      name: input.name,
      description: input.description ?? '',
      visibility: input.visibility,
      ownerId: userId,
      createdAt: this.deps.clock.now(),
    };
    const created = await this.rooms.create(room);
    this.deps.broadcast.joinRoom([userId], created.id);
    return toRoomView(created);
  }

  /** Public rooms and the caller's own, newest first. */
  async list(userId: string, opts: { before?: string | undefined; limit?: number | undefined }): Promise<{ rooms: RoomView[]; nextCursor: string | null }> {
    const limit = Math.min(opts.limit ?? ROOM_PAGE_DEFAULT, this.deps.config.historyPageMax);
    const page = await this.rooms.listVisibleTo(userId, { limit, ...(opts.before ? { before: opts.before } : {}) });
    return { rooms: page.items.map(toRoomView), nextCursor: page.nextCursor };
  }

  /** One room with the caller's role in it (null when not a member). */
  async get(userId: string, roomId: string): Promise<{ room: RoomView; role: RoomRole | null }> {
    const { room, membership } = await visibleRoom(this.rooms, roomId, userId);
    return { room: toRoomView(room), role: membership?.role ?? null };
  }

  /** Members with roles: anyone may list a public room's members, only members a private one's. */
  async members(userId: string, roomId: string): Promise<MemberView[]> {
    const access = await visibleRoom(this.rooms, roomId, userId);
    if (access.room.visibility === 'private' && !access.membership) throw new AppError('NOT_A_MEMBER');
    const memberships = await this.rooms.listMembers(roomId);
    const users = await this.deps.summaries.many(memberships.map((m) => m.userId));
    return memberships.map((m) => toMemberView(m, summaryOf(users, m.userId)));
  }

  /** Owner or moderator invites a user (needed to join a private room). */
  async invite(actorId: string, roomId: string, targetId: string): Promise<void> {
    await moderatorRoom(this.rooms, roomId, actorId);
    await this.requireUser(targetId);
    if (await this.rooms.hasInvite(roomId, targetId)) return;
    await this.rooms.addInvite({ roomId, userId: targetId, invitedBy: actorId, createdAt: this.deps.clock.now() });
  }

  /** Owner promotes (`on`) or demotes a member. */
  async setModerator(actorId: string, roomId: string, targetId: string, on: boolean): Promise<MemberView> {
    const { room, membership } = await memberRoom(this.rooms, roomId, actorId);
    if (membership.role !== 'owner') throw new AppError('NOT_ROOM_OWNER');
    if (targetId === room.ownerId) throw new AppError('CANNOT_TARGET_OWNER');
    const target = await this.rooms.getMembership(roomId, targetId);
    if (!target) throw new AppError('TARGET_NOT_A_MEMBER');
    const updated = target.role === (on ? 'moderator' : 'member') ? target : await this.rooms.setMemberRole(roomId, targetId, on ? 'moderator' : 'member');
    if (!updated) throw new AppError('TARGET_NOT_A_MEMBER');
    return toMemberView(updated, summaryOf(await this.deps.summaries.many([targetId]), targetId));
  }

  /** Owner or moderator removes a member; they may come back (public, or with their invite). */
  async kick(actorId: string, roomId: string, targetId: string): Promise<void> {
    const { room, membership } = await moderatorRoom(this.rooms, roomId, actorId);
    const target = await this.rooms.getMembership(roomId, targetId);
    this.assertMayTarget(room, membership, targetId, target);
    if (!target) throw new AppError('TARGET_NOT_A_MEMBER');
    if (await this.rooms.removeMember(roomId, targetId)) this.departed(roomId, targetId, 'kicked');
  }

  /** Owner or moderator bans a user (member or not): removed now, refused on join until unbanned. */
  async ban(actorId: string, roomId: string, targetId: string): Promise<void> {
    const { room, membership } = await moderatorRoom(this.rooms, roomId, actorId);
    const target = await this.rooms.getMembership(roomId, targetId);
    this.assertMayTarget(room, membership, targetId, target);
    if (!target) await this.requireUser(targetId);
    // The first ban stands (and keeps its author); banning again only makes sure the user is out.
    // `removedMember` comes from the ban's own transaction, so a join that slipped in between the
    // read above and the ban is removed and announced too.
    const { removedMember } = await this.rooms.banMember({ roomId, userId: targetId, bannedBy: actorId, createdAt: this.deps.clock.now() });
    if (removedMember || target) this.departed(roomId, targetId, 'banned');
  }

  /**
   * Lifts a ban; `lifted` is false when there was none. A ban the owner made is the owner's to
   * lift (CANNOT_LIFT_OWNER_BAN for a moderator), so moderators cannot overrule the owner.
   */
  async unban(actorId: string, roomId: string, targetId: string): Promise<{ lifted: boolean }> {
    const { room, membership } = await moderatorRoom(this.rooms, roomId, actorId);
    const ban = await this.rooms.getBan(roomId, targetId);
    if (!ban) return { lifted: false };
    if (ban.bannedBy === room.ownerId && membership.role !== 'owner') throw new AppError('CANNOT_LIFT_OWNER_BAN');
    return { lifted: await this.rooms.removeBan(roomId, targetId) };
  }

  /**
   * Joins the caller to a room: public rooms are open, private rooms need an invite (without one
   * the room does not exist for the caller). Joining again is harmless and announces nothing.
   * `joined`: a membership was created now; `firstJoin`: and the user had never joined this room
   * before (a leave and re-join is joined but not first), which is what join_room may pay for.
   */
  async join(userId: string, roomId: string): Promise<{ room: RoomView; role: RoomRole; joined: boolean; firstJoin: boolean; award: AwardOutcome | null }> {
    const room = await this.rooms.findById(roomId);
    if (!room) throw new AppError('ROOM_NOT_FOUND');
    const existing = await this.rooms.getMembership(roomId, userId);
    if (existing) {
      this.deps.broadcast.joinRoom([userId], roomId);
      return { room: toRoomView(room), role: existing.role, joined: false, firstJoin: false, award: null };
    }
    const banned = await this.rooms.isBanned(roomId, userId);
    if (room.visibility === 'private' && !banned && !(await this.rooms.hasInvite(roomId, userId))) throw new AppError('ROOM_NOT_FOUND');
    if (banned) throw new AppError('BANNED_FROM_ROOM');
    const joinedAt = this.deps.clock.now();
    // The ban check above is for the answer's sake; this one decides, atomically with any ban.
    const added = await this.rooms.addMemberUnlessBanned({ roomId, userId, role: 'member', joinedAt });
    if (added.banned) throw new AppError('BANNED_FROM_ROOM');
    const { membership, created } = added;
    // Only the call that created the membership records the join, so concurrent joins count once.
    const firstJoin = created && (await this.rooms.recordFirstJoin(roomId, userId, joinedAt));
    this.deps.broadcast.joinRoom([userId], roomId);
    // A ban committed after the insert has removed the membership and taken the sockets out,
    // possibly before the socketsJoin above: read again so the channel never outlives it.
    if (created && !(await this.rooms.getMembership(roomId, userId))) {
      this.deps.broadcast.leaveRoom([userId], roomId);
      throw new AppError('BANNED_FROM_ROOM');
    }
    if (created) {
      const member = toMemberView(membership, summaryOf(await this.deps.summaries.many([userId]), userId));
      this.deps.broadcast.emit({ rooms: [roomId] }, 'room:member-joined', { roomId, member });
    }
    return { room: toRoomView(room), role: membership.role, joined: created, firstJoin, award: null };
  }

  /** Leaves a room. The owner cannot leave: a room always has its owner; nobody leaves a direct room. */
  async leave(userId: string, roomId: string): Promise<void> {
    const { room, membership } = await memberRoom(this.rooms, roomId, userId);
    if (isDirectRoom(room)) throw new AppError('DIRECT_ROOM_FIXED');
    if (membership.role === 'owner') throw new AppError('OWNER_CANNOT_LEAVE');
    if (await this.rooms.removeMember(roomId, userId)) this.departed(roomId, userId, 'left');
  }

  /** The rooms `userId` is a member of (private ones included), for joining channels at connect. */
  async roomIdsOf(userId: string): Promise<string[]> {
    return this.rooms.listRoomIdsOfUser(userId);
  }

  private assertMayTarget(room: RoomRecord, actor: MembershipRecord, targetId: string, target: MembershipRecord | null): void {
    if (targetId === room.ownerId) throw new AppError('CANNOT_TARGET_OWNER');
    if (actor.role === 'moderator' && target?.role === 'moderator') throw new AppError('CANNOT_TARGET_MODERATOR');
  }

  private async requireUser(userId: string): Promise<void> {
    if (!(await this.deps.stores.users.findById(userId))) throw new AppError('USER_NOT_FOUND');
  }

  /** Tells the room (and the user's own tabs) first, then takes every socket of the user out. */
  private departed(roomId: string, userId: string, reason: LeaveReason): void {
    this.deps.broadcast.emit({ rooms: [roomId], users: [userId] }, 'room:member-left', { roomId, userId, reason });
    this.deps.broadcast.leaveRoom([userId], roomId);
  }
}
