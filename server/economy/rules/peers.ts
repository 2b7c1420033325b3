import type { PeerAwardsPolicy } from '../config/schema.js';

/** What the peer rule reads of an account (a subset of the user record). */
export interface PeerAccount {
  id: string;
  invitedBy: string | null;
  registrationIp: string | null;
  bannedAt: Date | null;
  createdAt: Date;
}

/**
 * Whether two accounts are linked (issue 9): one invited the other, or, when `byAddress` (the
 * multiple-accounts rule is on), both registered from the same address. Awards one of them
 * triggers for the other are treated as self-dealing.
 */
export function linkedAccounts(a: PeerAccount, b: PeerAccount, byAddress: boolean): boolean {
  if (a.id === b.id) return true;
  if (a.invitedBy === b.id || b.invitedBy === a.id) return true;
  return byAddress && a.registrationIp !== null && a.registrationIp === b.registrationIp;
}

/**
 * Why `peer` does not count as an independent peer of `author` for an award `peer` triggers
 * (helpful vote, reaction, media view, room-reward quorum); null when it counts. Messages sent is
 * only needed when the policy asks for some (the caller may pass Infinity to skip the read).
 */
export function peerRefusal(
  author: PeerAccount,
  peer: PeerAccount,
  input: { policy: PeerAwardsPolicy; linkByAddress: boolean; at: Date; messagesSent: number },
): 'SELF' | 'BANNED' | 'LINKED' | 'TOO_NEW' | 'TOO_QUIET' | null {
  if (author.id === peer.id) return 'SELF';
  if (peer.bannedAt) return 'BANNED';
  if (input.policy.excludeLinkedAccounts && linkedAccounts(author, peer, input.linkByAddress)) return 'LINKED';
  if (input.at.getTime() - peer.createdAt.getTime() < input.policy.minAccountAgeHours * 3_600_000) return 'TOO_NEW';
  if (input.messagesSent < input.policy.minMessagesSent) return 'TOO_QUIET';
  return null;
}
