import type { z } from 'zod';
import type { UserSummary } from '../../shared/events.js';
import type { roomRewardPayload } from '../../shared/schemas.js';
import { AppError } from '../lib/app-error.js';
import { isCapsUnavailable, type BudgetReservation } from '../caps/index.js';
import type { EconomyConfig } from '../economy/config/schema.js';
import { roomRewardsOpening } from '../economy/rules/room-rewards.js';
import type { RoomRecord } from '../stores/ports.js';
import { reserveRewardLimits } from './reward-limits.js';
import { refuseIneligible } from '../earning/gate-refusal.js';
import { grantEntry } from '../ledger/entries.js';
import type { JournalEntry } from '../ledger/ports.js';
import { idempotencyKeys, isUserAccount, userIdOf } from '../ledger/rules.js';
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

/** What a room reward touches: the gate, the ledger, budgets, summaries, notifications and the room's event. */
export type RewardDeps = Pick<
  AppContext,
  'abuse' | 'awards' | 'balanceNotifier' | 'broadcast' | 'clock' | 'newId' | 'counters' | 'economy' | 'ledger' | 'logger' | 'stores' | 'userSummaries' | 'config'
>;

/**
 * Moderator room rewards: the room's owner or a moderator mints tokens for another member as a
 * `grant` entry from issuance (actor: the moderator, message: the reason), within the room's
 * daily budget. Same shape as gifts: read-only checks, budget reservation, one ledger entry,
 * reservation given back on any failure, events only after the entry is posted.
 *
 * Issue 9 (economy integrity): the recipient passes the award gate (suspensions, bans); the room's
 * budget opens only once the room is old enough and has enough independent members; and besides
 * the room's budget, the recipient's and the granter's daily limits over all rooms apply
 * (server/rewards/reward-limits.ts), so rewarding an alt from many rooms moves no more.
 */
export class RewardService {
  constructor(private readonly ctx: RewardDeps) {}

  async reward(moderatorId: string, req: RewardRequest): Promise<RewardResult> {
    await moderatorRoom(this.ctx.stores.rooms, req.roomId, moderatorId);
    if (req.userId === moderatorId) throw new AppError('CANNOT_REWARD_SELF');
    const key = idempotencyKeys.grant(moderatorId, req.requestId);
    const earlier = await this.ctx.ledger.findByIdempotencyKey(key);
    if (earlier) return this.replay(moderatorId, req, earlier);

    const config = this.ctx.economy.current;
    const { room } = await this.checkRequest(req, config);
    await this.checkEligible(moderatorId, room, req, config);
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

  private async checkRequest(req: RewardRequest, config: EconomyConfig): Promise<{ room: RoomRecord }> {
    const limits = config.roomRewards;
    if (req.amount > limits.maxPerRewardTokens) throw new AppError('INVALID_AMOUNT', `At most ${limits.maxPerRewardTokens} tokens per reward`, { max: limits.maxPerRewardTokens });
    if (req.reason.length > limits.reasonMaxChars) throw new AppError('VALIDATION_FAILED', `reason: at most ${limits.reasonMaxChars} characters`, { field: 'reason', max: limits.reasonMaxChars });
    const user = await this.ctx.stores.users.findById(req.userId);
    if (!user) throw new AppError('USER_NOT_FOUND');
    if (user.bannedAt) throw new AppError('RECIPIENT_BANNED');
    if (await this.ctx.stores.rooms.isBanned(req.roomId, req.userId)) throw new AppError('RECIPIENT_BANNED', 'The recipient is banned from this room');
    if (!(await this.ctx.stores.rooms.getMembership(req.roomId, req.userId))) throw new AppError('TARGET_NOT_A_MEMBER');
    const room = await this.ctx.stores.rooms.findById(req.roomId);
    if (!room) throw new AppError('ROOM_NOT_FOUND');
    return { room };
  }

  /**
   * Issue 9: the award gate on the recipient (an earning suspension or a ban refuses it, like any
   * other token entering the account), then the room's opening rule: age, and members other than
   * granter and recipient who are independent peers of both (and of the owner).
   */
  private async checkEligible(moderatorId: string, room: RoomRecord, req: RewardRequest, config: EconomyConfig): Promise<void> {
    const at = this.ctx.clock.now();
    await refuseIneligible(this.ctx.awards, { userId: req.userId, activity: 'room_reward' }, at);
    const { roomMinAgeHours, roomMinActiveMembers } = config.roomRewards;
    if (roomMinAgeHours === 0 && roomMinActiveMembers === 0) return;
    let activeMembers = 0;
    if (roomMinActiveMembers > 0) {
      const parties = [...new Set([room.ownerId, moderatorId, req.userId])];
      const others = (await this.ctx.stores.rooms.listMemberIds(room.id)).filter((id) => !parties.includes(id));
      activeMembers = (await this.ctx.abuse.peers.eligible(parties, others, at, roomMinActiveMembers)).length;
    }
    const opening = roomRewardsOpening({ roomCreatedAt: room.createdAt, at, activeMembers }, config);
    if (!opening.open) {
      const { open: _open, ...details } = opening;
      throw new AppError('ROOM_REWARDS_NOT_OPEN', undefined, details);
    }
  }

  private async reserve(moderatorId: string, req: RewardRequest, config: EconomyConfig): Promise<{ taken: BudgetReservation[]; budgetLeft: number } | { replay: RewardResult }> {
    const budgetTokens = config.roomRewards.dailyBudgetTokens;
    let result;
    try {
      result = await reserveRewardLimits(this.ctx.counters.budgets, { roomId: req.roomId, granterId: moderatorId, recipientId: req.userId, amount: req.amount, at: this.ctx.clock.now() }, config);
    } catch (err) {
      if (isCapsUnavailable(err)) throw new AppError('SERVICE_UNAVAILABLE', 'Room reward budgets cannot be checked right now');
      throw err;
    }
    if (result.ok) return { taken: result.taken, budgetLeft: Math.max(0, budgetTokens - result.roomUsedTokens) };
    const earlier = await this.ctx.ledger.findByIdempotencyKey(idempotencyKeys.grant(moderatorId, req.requestId));
    if (earlier) return { replay: await this.replay(moderatorId, req, earlier) };
    const r = result.refusal;
    if (r.limit === 'room') throw new AppError('ROOM_BUDGET_EXHAUSTED', undefined, { budgetLeft: r.remainingTokens, budget: budgetTokens });
    if (r.limit === 'recipient') throw new AppError('REWARD_RECIPIENT_CAP_REACHED', undefined, { remainingTokens: r.remainingTokens, cap: r.capTokens });
    throw new AppError('REWARD_GRANTER_CAP_REACHED', undefined, { remainingTokens: r.remainingTokens, cap: r.capTokens });
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
    this.ctx.broadcast.emit({ rooms: [result.roomId] }, 'room:rewarded', event);
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
