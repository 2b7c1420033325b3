import type { RoomGoalBody, RoomGoalReachedView, RoomGoalView } from '../../shared/goals.js';
import { utcDayKey } from '../economy/rules/periods.js';
import { isCapsUnavailable, type DailyBudgetCounter } from '../caps/index.js';
import type { AwardService } from '../earning/award-service.js';
import type { BalanceNotifier } from '../earning/balance-notifier.js';
import type { EconomyConfigHolder } from '../economy/config/holder.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import { grantEntry } from '../ledger/entries.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import { memberRoom, moderatorRoom } from '../rooms/access.js';
import type { RoomStore } from '../stores/ports.js';
import { summaryOf, type UserSummaryResolver } from '../users/summaries.js';
import { GOAL_PAYOUT_CONTRIBUTORS_MAX, type GoalRecord, type GoalStore } from './ports.js';
import { goalPayoutKey, goalStatusAt, pointsFor, splitBonus, type RoomActivityKind } from './rules.js';

/** The activity of goal bonus entries (grants from issuance, in the room's reward list). */
export const ROOM_GOAL_ACTIVITY = 'room_goal';

/**
 * What the chat services report so goals can count it (passed to them explicitly: MessageService
 * and FileService deps, GiftService's constructor). Never throws: a goal problem must not fail
 * the message, file or gift it counts.
 */
export interface RoomActivityObserver {
  recorded(e: { roomId: string; userId: string; kind: RoomActivityKind; tokens?: number }): Promise<void>;
}

export interface GoalServiceDeps {
  store: GoalStore;
  rooms: RoomStore;
  budgets: DailyBudgetCounter;
  ledger: Pick<LedgerService, 'post'>;
  gate: Pick<AwardService, 'gateRefusal'>;
  notifier: Pick<BalanceNotifier, 'posted'>;
  broadcast: Pick<Broadcaster, 'emit'>;
  summaries: Pick<UserSummaryResolver, 'many'>;
  economy: Pick<EconomyConfigHolder, 'current'>;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
}

/**
 * Room goals (issue 13, part C; docs/chat.md "Room goals"). A moderator sets a target with a
 * deadline and an optional bonus, taken from today's room reward budget at once (so a goal never
 * promises tokens the budget has not got). Gifts, messages and file shares add points; each level
 * extends the deadline; the contribution that meets the target (decided in the store's
 * transaction, once, whatever the nodes) pays the bonus: one `grant` entry per contributor keyed
 * by goal and user, so a retry or a second node pays nobody twice.
 */
export class GoalService implements RoomActivityObserver {
  constructor(private readonly deps: GoalServiceDeps) {}

  async set(moderatorId: string, roomId: string, body: RoomGoalBody): Promise<RoomGoalView> {
    await moderatorRoom(this.deps.rooms, roomId, moderatorId);
    const config = this.deps.economy.current;
    const now = this.deps.clock.now();
    const bonusTokens = body.bonusTokens ?? 0;
    const current = await this.deps.store.current(roomId);
    if (current && goalStatusAt(current, now) === 'active') throw new AppError('GOAL_ALREADY_ACTIVE', undefined, { goalId: current.id });
    const reservation = bonusTokens > 0 ? await this.reserveBonus(roomId, bonusTokens, now, config.roomRewards.dailyBudgetTokens) : null;
    const result = await this.deps.store
      .create({ id: this.deps.newId(), roomId, title: body.title ?? null, target: body.target, levels: config.goals.levels, deadline: new Date(now.getTime() + body.durationMinutes * 60_000), bonusTokens, createdBy: moderatorId, createdAt: now })
      .catch(async (err: unknown) => {
        if (reservation) await this.deps.budgets.release(reservation);
        throw err;
      });
    if (!result.created) {
      if (reservation) await this.deps.budgets.release(reservation);
      throw new AppError('GOAL_ALREADY_ACTIVE', undefined, { goalId: result.existing.id });
    }
    const view = await this.view(result.goal);
    this.deps.broadcast.emit({ rooms: [roomId] }, 'room:goal', view);
    return view;
  }

  /** The room's newest goal, for members; a reached goal whose payout was interrupted is paid first. */
  async get(userId: string, roomId: string): Promise<RoomGoalView> {
    await memberRoom(this.deps.rooms, roomId, userId);
    const goal = await this.deps.store.current(roomId);
    if (!goal) throw new AppError('GOAL_NOT_FOUND');
    if (goal.status === 'reached' && !goal.paidAt) await this.payOut(goal);
    return this.view(goal);
  }

  async cancel(moderatorId: string, roomId: string): Promise<RoomGoalView> {
    await moderatorRoom(this.deps.rooms, roomId, moderatorId);
    const goal = await this.deps.store.cancel(roomId, this.deps.clock.now());
    if (!goal) throw new AppError('GOAL_NOT_FOUND', 'The room has no active goal');
    await this.returnBonus(goal);
    const view = await this.view(goal);
    this.deps.broadcast.emit({ rooms: [roomId] }, 'room:goal', view);
    return view;
  }

  async recorded(e: { roomId: string; userId: string; kind: RoomActivityKind; tokens?: number }): Promise<void> {
    try {
      const config = this.deps.economy.current;
      const points = pointsFor(e.kind, e.tokens ?? 0, config);
      if (points <= 0) return;
      const result = await this.deps.store.contribute({ roomId: e.roomId, userId: e.userId, points, at: this.deps.clock.now(), levelExtendMs: config.goals.levelExtendSeconds * 1000 });
      if (!result) return;
      this.deps.broadcast.emit({ rooms: [e.roomId] }, 'room:goal', await this.view(result.goal));
      if (result.reachedNow) await this.payOut(result.goal);
    } catch (err) {
      this.deps.logger.error({ err, roomId: e.roomId, kind: e.kind }, 'room goal contribution not recorded');
    }
  }

  /** Pays each contributor's share (gate-refused ones are skipped), marks it paid, tells the room. */
  private async payOut(goal: GoalRecord): Promise<void> {
    const contributors = await this.deps.store.contributors(goal.id, GOAL_PAYOUT_CONTRIBUTORS_MAX);
    const shares = splitBonus(goal.bonusTokens, contributors);
    const now = this.deps.clock.now();
    const payouts: Array<{ userId: string; tokens: number }> = [];
    for (const share of shares) {
      const refusal = await this.deps.gate.gateRefusal({ userId: share.userId, activity: 'room_goal' }, now);
      if (refusal === 'CAPS_UNAVAILABLE' || refusal === 'LEDGER_UNAVAILABLE') throw new AppError('SERVICE_UNAVAILABLE', 'Goal payouts cannot be checked right now');
      if (refusal) {
        this.deps.logger.warn({ goalId: goal.id, userId: share.userId, refusal }, 'room goal share refused by the award gate');
        continue;
      }
      const draft = grantEntry(share.userId, share.tokens, {
        idempotencyKey: goalPayoutKey(goal.id, share.userId),
        actorId: goal.createdBy,
        roomId: goal.roomId,
        activity: ROOM_GOAL_ACTIVITY,
        message: goal.title ?? 'Room goal reached',
        metadata: { goalId: goal.id },
      });
      const outcome = await this.deps.ledger.post(draft);
      if (outcome.status === 'insufficient_funds') throw new AppError('LEDGER_INVARIANT_VIOLATED', undefined, { account: outcome.account });
      if (outcome.status === 'posted') this.deps.notifier.posted(outcome);
      payouts.push(share);
    }
    await this.deps.store.markPaid(goal.id, now);
    const reached: RoomGoalReachedView = { goal: await this.view(goal), payouts };
    this.deps.broadcast.emit({ rooms: [goal.roomId] }, 'room:goal-reached', reached);
  }

  /**
   * A cancelled goal's bonus goes back to the room budget of the day it was taken from. The store
   * answers the cancel to one caller only (a conditional update), so it is given back once; a
   * cancelled goal was never reached, so none of it was paid. On a later day that budget is over
   * and the release changes nothing anyone can spend. If the counters are unreachable the cancel
   * still stands and the budget stays spent (logged): never a budget that grows by itself.
   */
  private async returnBonus(goal: GoalRecord): Promise<void> {
    if (goal.bonusTokens <= 0) return;
    const reservation = { scope: 'room-reward', key: goal.roomId, day: utcDayKey(goal.createdAt), count: 1, tokens: goal.bonusTokens };
    await this.deps.budgets.release(reservation).catch((err: unknown) => {
      this.deps.logger.error({ err, goalId: goal.id }, 'room goal cancelled but its bonus could not be returned to the room budget');
    });
  }

  /** Today's room budget takes the bonus now; a refusal is the room reward's refusal. */
  private async reserveBonus(roomId: string, amount: number, at: Date, budgetTokens: number) {
    let result;
    try {
      result = await this.deps.budgets.reserve({ scope: 'room-reward', key: roomId, amount, at, maxCount: null, maxTokens: budgetTokens });
    } catch (err) {
      if (isCapsUnavailable(err)) throw new AppError('SERVICE_UNAVAILABLE', 'Room reward budgets cannot be checked right now');
      throw err;
    }
    if (!result.ok) throw new AppError('ROOM_BUDGET_EXHAUSTED', undefined, { budgetLeft: result.remainingTokens ?? 0, budget: budgetTokens });
    return result.reservation;
  }

  private async view(goal: GoalRecord): Promise<RoomGoalView> {
    const top = await this.deps.store.contributors(goal.id, this.deps.economy.current.goals.topContributors);
    const summaries = await this.deps.summaries.many(top.map((c) => c.userId));
    return {
      goalId: goal.id,
      roomId: goal.roomId,
      title: goal.title,
      target: goal.target,
      points: goal.points,
      level: goal.level,
      levels: goal.levels,
      deadline: goal.deadline.toISOString(),
      bonusTokens: goal.bonusTokens,
      status: goalStatusAt(goal, this.deps.clock.now()),
      createdBy: goal.createdBy,
      createdAt: goal.createdAt.toISOString(),
      topContributors: top.map((c) => ({ user: summaryOf(summaries, c.userId), points: c.points })),
    };
  }
}
