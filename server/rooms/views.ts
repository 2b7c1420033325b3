import type { MemberView, RoomView, UserSummary } from '../../shared/events.js';
import type { MembershipRecord, RoomRecord } from '../stores/ports.js';

export function toRoomView(room: RoomRecord): RoomView {
  return {
    id: room.id,
    name: room.name,
    description: room.description,
    visibility: room.visibility,
    ownerId: room.ownerId,
    createdAt: room.createdAt.toISOString(),
  };
}

export function toMemberView(m: MembershipRecord, user: UserSummary): MemberView {
  return { user, role: m.role, joinedAt: m.joinedAt.toISOString() };
}
