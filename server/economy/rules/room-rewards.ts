import type { EconomyConfig } from '../config/schema.js';

export interface RoomRewardsOpening {
  open: boolean;
  /** Hours the room has existed (floored). */
  ageHours: number;
  minAgeHours: number;
  activeMembers: number;
  minActiveMembers: number;
}

/**
 * Whether a room's reward budget is open (issue 9): the room is at least `roomMinAgeHours` old and
 * has at least `roomMinActiveMembers` members, besides the granter and the recipient, who are
 * independent peers of both (server/economy/rules/peers.ts). A room made a minute ago for an alt
 * account, or one whose only members are its owner's accounts, mints nothing.
 */
export function roomRewardsOpening(input: { roomCreatedAt: Date; at: Date; activeMembers: number }, config: EconomyConfig): RoomRewardsOpening {
  const { roomMinAgeHours: minAgeHours, roomMinActiveMembers: minActiveMembers } = config.roomRewards;
  const ageMs = input.at.getTime() - input.roomCreatedAt.getTime();
  const ageHours = Math.max(0, Math.floor(ageMs / 3_600_000));
  const open = ageMs >= minAgeHours * 3_600_000 && input.activeMembers >= minActiveMembers;
  return { open, ageHours, minAgeHours, activeMembers: input.activeMembers, minActiveMembers };
}
