import type { EconomyConfig } from '../config/schema.js';

export interface ReferralFacts {
  inviterId: string;
  inviteeId: string;
  /** Client address the inviter registered from / last used, as the server saw it. */
  inviterAddress: string | null;
  inviteeAddress: string | null;
  inviteeRegisteredAt: Date;
  inviteeMessagesSent: number;
  inviteeDailyLoginsClaimed: number;
  alreadyPaid: boolean;
}

export type ReferralDecision =
  | { eligible: true }
  | { eligible: false; reason: 'SELF_INVITE' | 'SAME_ADDRESS' | 'NOT_ACTIVE_YET' | 'TOO_NEW' | 'ACTIVE_TOO_LATE' | 'ALREADY_REWARDED' };

/** The invitee is active once they sent `activeMinMessages` messages or claimed `activeMinDailyLogins` daily logins. */
export function isInviteeActive(f: Pick<ReferralFacts, 'inviteeMessagesSent' | 'inviteeDailyLoginsClaimed'>, config: EconomyConfig): boolean {
  return f.inviteeMessagesSent >= config.referral.activeMinMessages || f.inviteeDailyLoginsClaimed >= config.referral.activeMinDailyLogins;
}

/**
 * invite_friend pays the inviter once per invitee, when the invitee is active, unless it is a
 * self-invite, both accounts share a client address (a missing address on either side counts as
 * unknown, not as the same), or the invitee became active more than `activeWithinDays` after
 * registering. Call it at the moment the invitee may just have become active (`at`).
 * Issue 9: a referral is a peer-triggered award, so the invitee must also be
 * `peerAwards.minAccountAgeHours` old (`TOO_NEW`, not final: a later activity pays).
 */
export function referralEligibility(f: ReferralFacts, at: Date, config: EconomyConfig): ReferralDecision {
  if (f.alreadyPaid) return { eligible: false, reason: 'ALREADY_REWARDED' };
  if (f.inviterId === f.inviteeId) return { eligible: false, reason: 'SELF_INVITE' };
  if (f.inviterAddress !== null && f.inviterAddress === f.inviteeAddress) return { eligible: false, reason: 'SAME_ADDRESS' };
  if (!isInviteeActive(f, config)) return { eligible: false, reason: 'NOT_ACTIVE_YET' };
  if (at.getTime() - f.inviteeRegisteredAt.getTime() < config.peerAwards.minAccountAgeHours * 3_600_000) return { eligible: false, reason: 'TOO_NEW' };
  const limitMs = config.referral.activeWithinDays * 86_400_000;
  if (at.getTime() - f.inviteeRegisteredAt.getTime() > limitMs) return { eligible: false, reason: 'ACTIVE_TOO_LATE' };
  return { eligible: true };
}
