import type { AwardOutcome } from '../../shared/events.js';
import type { AwardRequest, AwardService } from '../earning/award-service.js';
import { awardAfter } from '../earning/inline.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { PEERS_JUDGED_MAX, type PeerEligibility } from './peer-eligibility.js';

export interface PeerAwardDeps {
  awards: AwardService;
  peers: PeerEligibility;
  ledger: Pick<LedgerService, 'findByIdempotencyKey'>;
  clock: Clock;
  logger: Logger;
}

/**
 * A peer-triggered award (helpful_content, popular_message, media_shared; issue 9): paid only when
 * at least `needed` of the users who triggered it are independent peers of the author (not linked
 * accounts, old and active enough: server/economy/rules/peers.ts). An award already paid answers
 * ALREADY_REWARDED before anyone is judged, so reactions past the threshold cost one key lookup.
 * `peerIds` is read lazily for the same reason.
 */
export async function awardFromPeers(
  deps: PeerAwardDeps,
  req: AwardRequest,
  peers: { peerIds: () => Promise<string[]>; needed: number },
): Promise<AwardOutcome | null> {
  try {
    if (!req.newEvent && (await deps.ledger.findByIdempotencyKey(req.idempotencyKey))) return { activity: req.activity, granted: 0, reason: 'ALREADY_REWARDED' };
    const ids = (await peers.peerIds()).slice(0, PEERS_JUDGED_MAX);
    const eligible = await deps.peers.eligible([req.userId], ids, req.at ?? deps.clock.now(), peers.needed);
    if (eligible.length < peers.needed) return { activity: req.activity, granted: 0, reason: 'PEER_NOT_ELIGIBLE' };
  } catch (err) {
    deps.logger.error({ err, activity: req.activity, userId: req.userId }, 'peer check failed; award refused');
    return { activity: req.activity, granted: 0, reason: 'LEDGER_UNAVAILABLE' };
  }
  return awardAfter(deps.awards, deps.logger, { ...req, metadata: { ...req.metadata, independentPeers: peers.needed } });
}
