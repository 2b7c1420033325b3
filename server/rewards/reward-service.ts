import type { z } from 'zod';
import type { UserSummary } from '../../shared/events.js';
import type { roomRewardPayload } from '../../shared/schemas.js';
import { AppError } from '../lib/app-error.js';
import { isCapsUnavailable, reserveRoomReward, type BudgetReservation } from '../caps/index.js';
import type { EconomyConfig } from '../economy/config/schema.js';
import { grantEntry } from '../ledger/entries.js';
import type { JournalEntry } from '../ledger/ports.js';
import { idempotencyKeys, isUserAccount, userIdOf } from '../ledger/rules.js';
import { roomChannel } from '../realtime/channels.js';
import { moderatorRoom, memberRoom } from '../rooms/access.js';
import { summaryOf } from '../users/summaries.js';
import { storeNotification } from '../notifications/notifier.js';
import { postWithReservation } from '../gifts/reserved-post.js';
import type { AppContext } from '../context.js';

export type RewardRequest = z.output<typeof roomRewardPayload>;

export interface RewardResult {
  grantId: string;
  roomId: string;
  to: UserSummary;
  amount: number;
  reason: string;
  /** Tokens left in the room's budget today. */
  budgetLeft: number;
}

/** One line of `GET /api/rooms/:id/rewards`. */
export interface RewardView {
  grantId: string;
  roomId: string;
  by: UserSummary;
  to: UserSummary;
  amount: number;
  reason: string;
  at: string;
}

/**
 * Moderator room rewards: the room's owner or a moderator mints tokens for another member as a
 * `grant` entry from issuance (actor: the moderator, message: the reason), within the room's
 * daily budget. Same shape as gifts: read-only checks, budget reservation, one ledger entry,
 * reservation given back on any failure, events only after the entry is posted.
 */
export class RewardService {
  constructor(private readonly ctx: AppContext) {}

  async reward(moderatorId: string, req: RewardRequest): Promise<RewardResult> {
    await moderatorRoom(this.ctx.stores.rooms, req.roomId, moderatorId);
    if (req.userId === moderatorId) throw new AppError('CANNOT_REWARD_SELF');
    const key = idempotencyKeys.grant(moderatorId, req.requestId);
    const earlier = await this.ctx.ledger.findByIdempotencyKey(key);
    if (earlier) return this.replay(moderatorId, req, earlier);

    const config = this.ctx.economy.current;
    await this.checkRequest(req, config);
    const reservation = await this.reserve(moderatorId, req, config);
    if ('replay' in reservation) return reservation.replay;
    const draft = grantEntry(req.userId, req.amount, { idempotencyKey: key, actorId: moderatorId, roomId: req.roomId, message: req.reason, metadata: { requestId: req.requestId } });
    const outcome = await postWithReservation({ ledger: this.ctx.ledger, budgets: this.ctx.counters.budgets, logger: this.ctx.logger }, reservation.taken, draft);
    if (outcome.status === 'insufficient_funds') throw new AppError('LEDGER_INVARIANT_VIOLATED', undefined, { account: outcome.account });
    if (outcome.status === 'duplicate') return this.replay(moderatorId, req, outcome.entry);
    this.ctx.balanceNotifier.posted(outcome);
    return this.deliver(outcome.entry, reservation.budgetLeft);
  }

  /**
   * The room's grants, newest first, whoever received them (people who left since included):
   * one indexed ledger query by room. Members only: rewards are public inside the room.
   */
  async list(userId: string, roomId: string, opts: { before?: string | undefined; limit: number }): Promise<{ items: RewardView[]; nextCursor: string | null }> {
    await memberRoom(this.ctx.stores.rooms, roomId, userId);
    const page = await this.ctx.ledger.queries.roomEntries(roomId, { kind: 'grant', limit: opts.limit, ...(opts.before ? { before: opts.before } : {}) });
    const summaries = await this.ctx.userSummaries.many(page.items.flatMap((e) => [e.actorId ?? '', grantRecipient(e)]).filter(Boolean));
    return {
      items: page.items.map((e) => ({
        grantId: e.id,
        roomId,
        by: summaryOf(summaries, e.actorId ?? ''),
        to: summaryOf(summaries, grantRecipient(e)),
        amount: grantAmount(e),
        reason: e.message ?? '',
        at: e.createdAt.toISOString(),
      })),
      nextCursor: page.nextCursor,
    };
  }

  private async checkRequest(req: RewardRequest, config: EconomyConfig): Promise<void> {
    const limits = config.roomRewards;
    if (req.amount > limits.maxPerRewardTokens) throw new AppError('INVALID_AMOUNT', `At most ${limits.maxPerRewardTokens} tokens per reward`, { max: limits.maxPerRewardTokens });
    if (req.reason.length > limits.reasonMaxChars) throw new AppError('VALIDATION_FAILED', `reason: at most ${limits.reasonMaxChars} characters`, { field: 'reason', max: limits.reasonMaxChars });
    const user = await this.ctx.stores.users.findById(req.userId);
    if (!user) throw new AppError('USER_NOT_FOUND');
    if (user.bannedAt) throw new AppError('RECIPIENT_BANNED');
    if (await this.ctx.stores.rooms.isBanned(req.roomId, req.userId)) throw new AppError('RECIPIENT_BANNED', 'The recipient is banned from this room');
    if (!(await this.ctx.stores.rooms.getMembership(req.roomId, req.userId))) throw new AppError('TARGET_NOT_A_MEMBER');
  }

  private async reserve(moderatorId: string, req: RewardRequest, config: EconomyConfig): Promise<{ taken: BudgetReservation; budgetLeft: number } | { replay: RewardResult }> {
    const budgetTokens = config.roomRewards.dailyBudgetTokens;
    let result;
    try {
      result = await reserveRoomReward(this.ctx.counters.budgets, { roomId: req.roomId, amount: req.amount, at: this.ctx.clock.now(), budgetTokens });
    } catch (err) {
      if (isCapsUnavailable(err)) throw new AppError('SERVICE_UNAVAILABLE', 'Room reward budgets cannot be checked right now');
      throw err;
    }
    if (result.ok) return { taken: result.reservation, budgetLeft: Math.max(0, budgetTokens - result.usage.tokens) };
    const earlier = await this.ctx.ledger.findByIdempotencyKey(idempotencyKeys.grant(moderatorId, req.requestId));
    if (earlier) return { replay: await this.replay(moderatorId, req, earlier) };
    throw new AppError('ROOM_BUDGET_EXHAUSTED', undefined, { budgetLeft: result.remainingTokens ?? 0, budget: budgetTokens });
  }

  private async replay(moderatorId: string, req: RewardRequest, entry: JournalEntry): Promise<RewardResult> {
    const same = entry.kind === 'grant' && entry.actorId === moderatorId && entry.roomId === req.roomId && grantRecipient(entry) === req.userId && grantAmount(entry) === req.amount;
    if (!same) throw new AppError('IDEMPOTENCY_CONFLICT');
    const usage = await this.ctx.counters.budgets.usage({ scope: 'room-reward', key: req.roomId, at: this.ctx.clock.now() }).catch(() => null);
    const budget = this.ctx.economy.current.roomRewards.dailyBudgetTokens;
    return this.result(entry, usage ? Math.max(0, budget - usage.tokens) : 0);
  }

  private async deliver(entry: JournalEntry, budgetLeft: number): Promise<RewardResult> {
    const result = await this.result(entry, budgetLeft);
    const by = summaryOf(await this.ctx.userSummaries.many([entry.actorId ?? '']), entry.actorId ?? '');
    const event = { roomId: result.roomId, by, to: result.to, amount: result.amount, reason: result.reason, at: entry.createdAt.toISOString() };
    try {
      await storeNotification(this.ctx, result.to.id, 'room_reward', { grantId: entry.id, ...event });
    } catch (err) {
      this.ctx.logger.error({ err, grantId: entry.id }, 'reward notification not stored');
    }
    this.ctx.io.to(roomChannel(result.roomId)).emit('room:rewarded', event);
    return result;
  }

  private async result(entry: JournalEntry, budgetLeft: number): Promise<RewardResult> {
    const toId = grantRecipient(entry);
    const to = summaryOf(await this.ctx.userSummaries.many([toId]), toId);
    return { grantId: entry.id, roomId: entry.roomId ?? '', to, amount: grantAmount(entry), reason: entry.message ?? '', budgetLeft };
  }
}

function grantRecipient(entry: JournalEntry): string {
  const leg = entry.legs.find((l) => l.amount > 0);
  return leg && isUserAccount(leg.account) ? userIdOf(leg.account) : '';
}

function grantAmount(entry: JournalEntry): number {
  return entry.legs.find((l) => l.amount > 0)?.amount ?? 0;
}
