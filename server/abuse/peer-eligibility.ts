import type { EconomyConfigHolder } from '../economy/config/holder.js';
import { peerRefusal, type PeerAccount } from '../economy/rules/peers.js';
import type { MessageStore, UserStore } from '../stores/ports.js';

/** Peers judged per call at most: a popular message or a viewed file with more needs no more. */
export const PEERS_JUDGED_MAX = 500;

/**
 * Which users count as independent peers for awards they trigger for someone else (issue 9):
 * helpful votes, popular-message reactions, media views and the quorum that opens a room's reward
 * budget. The rule itself is `peerRefusal` (server/economy/rules/peers.ts); this reads the
 * accounts and, only when the policy asks for it, their message counts.
 */
export interface PeerEligibility {
  /**
   * The ids among `peerIds` that are independent peers of every one of `ofUserIds` (in the given
   * order, at most PEERS_JUDGED_MAX judged). Stops once `needed` are found, when given.
   */
  eligible(ofUserIds: readonly string[], peerIds: readonly string[], at: Date, needed?: number): Promise<string[]>;
}

export interface PeerEligibilityDeps {
  users: Pick<UserStore, 'findManyByIds'>;
  messages: Pick<MessageStore, 'countByAuthor'>;
  economy: EconomyConfigHolder;
}

export function createPeerEligibility(deps: PeerEligibilityDeps): PeerEligibility {
  return {
    async eligible(ofUserIds, peerIds, at, needed) {
      const config = deps.economy.current;
      const policy = config.peerAwards;
      const linkByAddress = config.antiAbuse.multipleAccounts.accountsPerIpDaily !== null;
      const peers = [...new Set(peerIds)].slice(0, PEERS_JUDGED_MAX);
      const records = await deps.users.findManyByIds([...new Set([...ofUserIds, ...peers])]);
      const byId = new Map<string, PeerAccount>(records.map((u) => [u.id, u]));
      const owners = ofUserIds.map((id) => byId.get(id)).filter((u): u is PeerAccount => u !== undefined);
      if (owners.length !== ofUserIds.length) return [];
      const out: string[] = [];
      for (const id of peers) {
        const peer = byId.get(id);
        if (!peer) continue;
        // The account checks first; the message count (a store read) only for those that pass them.
        const base = { policy, linkByAddress, at, messagesSent: Number.POSITIVE_INFINITY };
        if (owners.some((o) => peerRefusal(o, peer, base) !== null)) continue;
        if (policy.minMessagesSent > 0 && (await deps.messages.countByAuthor(id)) < policy.minMessagesSent) continue;
        out.push(id);
        if (needed !== undefined && out.length >= needed) break;
      }
      return out;
    },
  };
}
