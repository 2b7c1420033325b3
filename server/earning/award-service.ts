import type { AwardOutcome, AwardReason } from '../../shared/events.js';
import type { AppConfig } from '../config/env.js';
import type { EconomyConfigHolder } from '../economy/config/holder.js';
import type { ActivityId } from '../economy/config/schema.js';
import { computeAward } from '../economy/rules/award.js';
import type { ActiveEvent } from '../economy/rules/multipliers.js';
import { capLimitsFor } from '../economy/rules/caps.js';
import { isCapsUnavailable, type CapCounter, type CapReservation } from '../caps/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { earnEntry } from '../ledger/entries.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import { CarryConflictError } from '../ledger/rules.js';
import type { BalanceNotifier } from './balance-notifier.js';
import { PerKeyQueue } from '../lib/per-key-queue.js';
import type { StreakSource } from './streak-source.js';
import { tierOfAccount } from './tiers.js';

export interface AwardRequest {
  userId: string;
  activity: ActivityId;
  /** Derived from the event (docs/ledger.md): `earn:<activity>:<event id>`. One award per key, ever. */
  idempotencyKey: string;
  /** When the activity happened; defaults to the clock. Decides the UTC day/week and event windows. */
  at?: Date;
  roomId?: string | null;
  metadata?: Record<string, unknown>;
  /**
   * The caller just created the event the key derives from (a new message id), so no entry can
   * exist yet: the lookup before the caps is skipped. The ledger's duplicate answer still guards.
   */
  newEvent?: boolean;
  /** Overrides the config's tokens for the activity (e.g. a percentage of something). */
  base?: number;
  /** The message body (text or ciphertext) for the anti-abuse duplicate check (server/abuse/). */
  content?: string;
}

/**
 * Anti-abuse checks that run before anything else of an award (server/abuse/award-gate.ts):
 * a reason refuses it. May throw CapsUnavailableError (answered CAPS_UNAVAILABLE).
 */
export interface AwardGate {
  refusal(req: GateRequest | AwardRequest, at: Date): Promise<AwardReason | null>;
}

/**
 * What the gate needs to judge tokens entering `userId`'s account: an earning activity, or one of
 * the mints that do not go through `grant` (room rewards, admin awards, achievements; issue 9:
 * every token that enters an account passes the gate).
 */
export interface GateRequest {
  userId: string;
  activity: ActivityId | 'room_reward' | 'admin_award' | 'achievement' | 'season_reward' | 'room_goal';
  content?: string;
}

/**
 * The award pipeline every earning activity goes through. `grant` never throws for an expected
 * outcome or a broken dependency: it answers `{ activity, granted, reason? }`.
 *
 * | reason              | when                                                             |
 * | ------------------- | ---------------------------------------------------------------- |
 * | (none)              | the full amount was credited                                     |
 * | ECONOMY_DISABLED    | ECONOMY_ENABLED=false: nothing read, nothing written             |
 * | ALREADY_REWARDED    | an entry with this idempotency key exists                        |
 * | ACTIVITY_CAP        | the activity's events per UTC day are used up                    |
 * | DAILY_CAP/WEEKLY_CAP| the token totals allowed part (granted > 0) or nothing           |
 * | CAPS_UNAVAILABLE    | the counters (Redis) cannot be reached: nothing granted          |
 * | LEDGER_UNAVAILABLE  | the ledger read or write failed: the reservation was given back  |
 * | EARNING_SUSPENDED, TOO_FAST, DUPLICATE_CONTENT, NOT_ELIGIBLE | refused by the AwardGate (docs/anti-abuse.md) |
 *
 * @example
 *   const award = await ctx.awards.grant({ userId, activity: 'share_file', idempotencyKey: `earn:share_file:${messageId}`, roomId });
 *   // { activity: 'share_file', granted: 10 } or { activity: 'share_file', granted: 0, reason: 'DAILY_CAP' }
 */
export interface AwardService {
  grant(req: AwardRequest): Promise<AwardOutcome>;
  /**
   * Only the gate, for mints that do not go through `grant` (room rewards, admin awards,
   * achievements): a reason refuses them. Null when the gate lets them pass.
   */
  gateRefusal(req: GateRequest, at: Date): Promise<AwardReason | null>;
}

/**
 * Event multipliers from outside the economy config (issue 13: running seasons, server/seasons/).
 * Passed in at construction; a failure to read them is logged and the award goes on without them.
 */
export interface EventSource {
  activeAt(at: Date): Promise<readonly ActiveEvent[]>;
}

export interface AwardServiceDeps {
  config: Pick<AppConfig, 'economyEnabled'>;
  /** Issue 13 (seasons): season multipliers; absent = only the config's windows. */
  events?: EventSource;
  economy: EconomyConfigHolder;
  caps: CapCounter;
  ledger: LedgerService;
  notifier: BalanceNotifier;
  clock: Clock;
  logger: Logger;
  /**
   * The anti-abuse checks every award passes first (server/abuse/award-gate.ts). Required: an
   * award pipeline without its gate cannot be built (issue 15: no late setter that can be forgotten).
   */
  gate: AwardGate;
  /** The daily-login streaks for the streak multiplier (the engagement store's, server/engagement/daily-claim.ts). */
  streaks: StreakSource;
}

/** Recomputations after another node's award of the same user changed the carry first. */
export const AWARD_CARRY_RETRIES_MAX = 5;

/** One pass of the pipeline; `carry_conflict` asks the caller to run it again. */
type Attempt = AwardOutcome | 'carry_conflict';

export function createAwardService(deps: AwardServiceDeps): AwardService {
  const { gate, streaks } = deps;
  const perUser = new PerKeyQueue();

  const release = async (reservation: CapReservation): Promise<void> => {
    try {
      await deps.caps.release(reservation);
    } catch (err) {
      // The counters stay over-counted until the period ends: the user earns less, never more.
      deps.logger.error({ err, reservation }, 'cap reservation could not be released');
    }
  };

  const gateRefusal = async (g: AwardGate, req: GateRequest, at: Date): Promise<AwardReason | null> => {
    try {
      return await g.refusal(req, at);
    } catch (err) {
      if (isCapsUnavailable(err)) return 'CAPS_UNAVAILABLE';
      deps.logger.error({ err, activity: req.activity, userId: req.userId }, 'anti-abuse checks failed; award refused');
      return 'LEDGER_UNAVAILABLE';
    }
  };

  const seasonEvents = async (at: Date): Promise<readonly ActiveEvent[]> => {
    if (!deps.events) return [];
    try {
      return await deps.events.activeAt(at);
    } catch (err) {
      // A season read failing must not stop earning: the award is paid without its multiplier.
      deps.logger.warn({ err }, 'season multipliers unreadable: awarding without them');
      return [];
    }
  };

  const run = async (req: AwardRequest, at: Date, retry: boolean): Promise<Attempt> => {
    const { activity, userId } = req;
    const refuse = (reason: AwardOutcome['reason']): AwardOutcome => ({ activity, granted: 0, reason });
    const config = deps.economy.current;

    let streakDays: number;
    let state: Awaited<ReturnType<LedgerService['accountWithCarry']>>;
    try {
      if (!req.newEvent && (await deps.ledger.findByIdempotencyKey(req.idempotencyKey))) return refuse('ALREADY_REWARDED');
      [state, streakDays] = await Promise.all([deps.ledger.accountWithCarry(userId), streaks.streakDays(userId, at)]);
    } catch (err) {
      deps.logger.error({ err, activity, userId }, 'award inputs could not be read');
      return refuse('LEDGER_UNAVAILABLE');
    }

    const tier = tierOfAccount(state.account, config);
    const extraEvents = await seasonEvents(at);
    const computed = computeAward({ activity, streakDays, tier, at, carry: state.carryNanos, extraEvents, ...(req.base !== undefined ? { base: req.base } : {}) }, config);
    if (computed.credit === 0) return { activity, granted: 0 };

    let reserved;
    try {
      reserved = await deps.caps.reserve({ userId, activity, amount: computed.credit, at, limits: capLimitsFor(activity, config) });
    } catch (err) {
      if (!isCapsUnavailable(err)) throw err;
      deps.logger.warn({ err: err.message, activity, userId }, 'award refused: caps unavailable');
      return refuse('CAPS_UNAVAILABLE');
    }
    if (reserved.granted === 0) return refuse(reserved.reason);

    const draft = {
      ...earnEntry(userId, reserved.granted, {
        idempotencyKey: req.idempotencyKey,
        activity,
        roomId: req.roomId ?? null,
        metadata: { ...req.metadata, base: computed.base, multiplier: computed.multiplier.combined, requested: computed.credit },
      }),
      carry: { userId, nanos: computed.carry, expectedNanos: state.carryNanos },
    };
    let outcome;
    try {
      // A retry posts at once instead of waiting for the next batch, so it is not overtaken again.
      outcome = retry ? await deps.ledger.post(draft) : await deps.ledger.enqueue(draft);
    } catch (err) {
      if (err instanceof CarryConflictError) {
        await release(reserved.reservation);
        return 'carry_conflict';
      }
      deps.logger.error({ err, activity, userId }, 'award ledger write failed; reservation released');
      await release(reserved.reservation);
      return refuse('LEDGER_UNAVAILABLE');
    }
    if (outcome.status === 'duplicate') {
      await release(reserved.reservation);
      return refuse('ALREADY_REWARDED');
    }
    if (outcome.status === 'insufficient_funds') {
      // Issuance is never guarded: this is a broken invariant, and nothing was written.
      deps.logger.error({ outcome, activity, userId }, 'award refused by the ledger guard');
      await release(reserved.reservation);
      return refuse('LEDGER_UNAVAILABLE');
    }
    deps.notifier.posted(outcome);
    return reserved.reason ? { activity, granted: reserved.granted, reason: reserved.reason } : { activity, granted: reserved.granted };
  };

  return {
    async grant(req) {
      if (!deps.config.economyEnabled) return { activity: req.activity, granted: 0, reason: 'ECONOMY_DISABLED' };
      const at = req.at ?? deps.clock.now();
      return perUser.run(req.userId, async () => {
        const refused = await gateRefusal(gate, req, at);
        if (refused) return { activity: req.activity, granted: 0, reason: refused };
        for (let attempt = 1; attempt <= AWARD_CARRY_RETRIES_MAX; attempt++) {
          const result = await run(req, at, attempt > 1);
          if (result !== 'carry_conflict') return result;
        }
        deps.logger.error({ activity: req.activity, userId: req.userId }, 'award carry kept changing; award refused');
        return { activity: req.activity, granted: 0, reason: 'LEDGER_UNAVAILABLE' };
      });
    },
    gateRefusal(req, at) {
      return gateRefusal(gate, req, at);
    },
  };
}
