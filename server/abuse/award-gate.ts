import type { AwardReason } from '../../shared/events.js';
import type { AwardGate, AwardRequest, GateRequest } from '../earning/award-service.js';
import type { EconomyConfigHolder } from '../economy/config/holder.js';
import { isSuspended, penaltyStanding, registrationEligible, type PenaltyStanding } from '../economy/rules/abuse.js';
import { utcDayKey } from '../economy/rules/periods.js';
import { BoundedCache } from '../engagement/bounded-cache.js';
import type { Clock } from '../lib/clock.js';
import type { UserStore } from '../stores/ports.js';
import type { ActivityGuard } from './activity-guard.js';
import type { PenaltyStore } from './ports.js';

/**
 * How long a node trusts its cached penalty standing of a user. The standing is read on every
 * award (every chat message), so it is cached; the node that applies a penalty drops its entry at
 * once, other nodes see it within this time.
 */
export const STANDING_CACHE_MS = 5_000;
export const STANDING_CACHE_ENTRIES_MAX = 50_000;

export interface AbuseAwardGate extends AwardGate {
  /** Forgets the cached standing (after a penalty is applied on this node). */
  invalidate(userId: string): void;
}

export interface AwardGateDeps {
  penalties: PenaltyStore;
  users: Pick<UserStore, 'findById'>;
  guard: ActivityGuard;
  economy: EconomyConfigHolder;
  clock: Clock;
}

/**
 * The anti-abuse checks of the award pipeline, cheapest first: penalty standing (cached),
 * time-based validation of rewarded messages (one counter-store round trip), and the
 * accounts-per-IP rule on the registration award.
 */
export function createAwardGate(deps: AwardGateDeps): AbuseAwardGate {
  const cache = new BoundedCache<{ standing: PenaltyStanding; fetchedAtMs: number }>(STANDING_CACHE_ENTRIES_MAX);

  const standingOf = async (userId: string): Promise<PenaltyStanding> => {
    const nowMs = deps.clock.now().getTime();
    const hit = cache.get(userId);
    if (hit && nowMs - hit.fetchedAtMs < STANDING_CACHE_MS && nowMs >= hit.fetchedAtMs) return hit.standing;
    const standing = penaltyStanding(await deps.penalties.list(userId));
    cache.set(userId, { standing, fetchedAtMs: nowMs });
    return standing;
  };

  const registrationRefusal = async (userId: string): Promise<AwardReason | null> => {
    const user = await deps.users.findById(userId);
    if (!user?.registrationIp) return null;
    const day = utcDayKey(user.createdAt);
    // Recorded whatever the limit, so admins can list accounts sharing an address.
    await deps.penalties.recordRegistration({ userId, ip: user.registrationIp, day, createdAt: user.createdAt });
    const limit = deps.economy.current.antiAbuse.multipleAccounts.accountsPerIpDaily;
    if (limit === null) return null;
    const rank = await deps.penalties.registrationRank(user.registrationIp, day, userId);
    return registrationEligible(rank, limit) ? null : 'NOT_ELIGIBLE';
  };

  return {
    async refusal(req: GateRequest | AwardRequest, at: Date) {
      const standing = await standingOf(req.userId);
      if (standing.banned) return 'NOT_ELIGIBLE';
      if (isSuspended(standing, at.getTime())) return 'EARNING_SUSPENDED';
      if (req.activity === 'send_message' && req.content !== undefined) {
        const verdict = await deps.guard.check({ userId: req.userId, content: req.content, at, policy: deps.economy.current.antiAbuse.fakeActivity });
        if (verdict) return verdict;
      }
      if (req.activity === 'registration') return registrationRefusal(req.userId);
      return null;
    },
    invalidate(userId) {
      cache.delete(userId);
    },
  };
}
