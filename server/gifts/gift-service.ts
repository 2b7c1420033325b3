import type { z } from 'zod';
import type { GiftView, UserSummary } from '../../shared/events.js';
import type { giftSendPayload } from '../../shared/schemas.js';
import { AppError } from '../lib/app-error.js';
import { isCapsUnavailable, reserveGift, type BudgetReservation } from '../caps/index.js';
import type { EconomyConfig } from '../economy/config/schema.js';
import { giftableTokens, senderGiftAllowance, VESTING_KINDS, vestingSince } from '../economy/rules/gifts.js';
import { giftEntry } from '../ledger/entries.js';
import { userAccount, type AccountState, type JournalEntry, type PostOutcome } from '../ledger/ports.js';
import { idempotencyKeys, isUserAccount, userIdOf } from '../ledger/rules.js';
import { memberRoom } from '../rooms/access.js';
import { summaryOf } from '../users/summaries.js';
import { storeNotification } from '../notifications/notifier.js';
import type { PinGuard } from '../pin/pin-guard.js';
import type { AppContext } from '../context.js';
import { tierOfAccount } from '../earning/tiers.js';
import { tierInfoOf } from '../engagement/tier-benefits.js';
import type { UserRecord } from '../stores/ports.js';
import { raiseTier } from '../shop/effects.js';
import { createShopPerks, type ShopPerks } from '../shop/perks.js';
import { payReceiveGiftBonus } from './receive-bonus.js';
import { postWithReservation } from './reserved-post.js';
import type { GiftReceipts } from './receipts.js';
import type { RoomActivityObserver } from '../goals/goal-service.js';
import { comboOf } from './combos.js';

export type GiftRequest = z.output<typeof giftSendPayload>;

/** What a new gift reads once about its two parties and passes down (issue 16). */
interface GiftParties {
  /** The sender's record, as the PIN check read it. */
  sender: UserRecord;
  /** The recipient's record, as the recipient check read it. */
  recipient: UserRecord;
  /** Both parties' tier_upgrade steps (0 for a user without one). */
  steps: Map<string, number>;
}

export interface GiftResult {
  gift: GiftView;
  /**
   * The sender's balance right after the gift, also on a repeated request; when no receipt of it
   * is left (see GiftReceipts) a repeated request gets the current balance instead.
   */
  balance: number;
  /** 'gift': `balance` is the one right after the gift; 'now': it is the current balance. */
  balanceAsOf: 'gift' | 'now';
  /** True when this requestId was already used for this gift: nothing new happened. */
  duplicate: boolean;
}

/** How long a retry waits for the receipt of a gift posted a moment ago by a concurrent request. */
const RECEIPT_WAIT_MS = 1000;
const RECEIPT_POLL_MS = 20;

/**
 * Sending a gift, the same for `gift:send` and `POST /api/tokens/gift`. The order of steps makes a
 * failed request change nothing but the PIN lockout: the idempotency lookup (a gift that already
 * happened answers as it did, without a PIN check: the key is scoped to the authenticated sender),
 * then for a new gift the PIN, read-only checks, the daily budget reservation (given back on any
 * later failure), then one ledger entry (sender -amount, recipient +amount). Only after it is
 * posted: the receipt of the sender's balance, balance pushes, the recipient's receive_gift bonus,
 * the sender's gift achievements, the notification and the live event.
 */
/** What a gift touches: the ledger, budgets, summaries, notifications, the receiver's bonus and achievements. */
export type GiftDeps = Pick<
  AppContext,
  'balanceNotifier' | 'broadcast' | 'clock' | 'newId' | 'counters' | 'economy' | 'engagement' | 'ledger' | 'logger' | 'stores' | 'userSummaries' | 'awards' | 'purchases' | 'shopCatalogue'
>;

export class GiftService {
  /** Tier steps from active tier_upgrade purchases; built once, it reads the purchases on every call. */
  private readonly perks: Pick<ShopPerks, 'tierSteps'>;

  constructor(
    private readonly ctx: GiftDeps,
    private readonly pins: PinGuard,
    private readonly receipts: GiftReceipts,
    /** Issue 13 (goals): told of every gift posted in a room (room goals count its tokens). */
    private readonly roomActivity?: RoomActivityObserver,
  ) {
    this.perks = createShopPerks({ purchases: ctx.purchases, clock: ctx.clock, effects: ctx.shopCatalogue });
  }

  /** `session` (the caller's token id) scopes the remembered PIN check to the caller's session. */
  async send(senderId: string, req: GiftRequest, session?: string): Promise<GiftResult> {
    const key = idempotencyKeys.gift(senderId, req.requestId);
    // A retry of a gift that happened is answered before the PIN: a PIN changed since, or a
    // lockout running now, must not turn the first outcome into a refusal, nor count as a guess.
    const earlier = await this.ctx.ledger.findByIdempotencyKey(key);
    if (earlier) return this.replay(senderId, req, earlier);
    // Issue 16: each party's state is read once here and passed down (the allowance, the view).
    const sender = await this.pins.verify(senderId, req.pin, session);

    const config = this.ctx.economy.current;
    const recipient = await this.checkRequest(senderId, req, config);
    const before = await this.ctx.ledger.account(senderId);
    if (before.balance < req.amount) throw new AppError('INSUFFICIENT_BALANCE', undefined, { balance: before.balance });
    const vesting = await this.checkVested(senderId, req.amount, before.balance, config);

    // Both parties' tier_upgrade steps in one read: the sender's raise the allowance now, both
    // give the tiers of the gift's view once it is posted.
    const steps = await this.perks.tierSteps([senderId, req.toUserId]);
    const parties: GiftParties = { sender, recipient, steps };
    const reservation = await this.reserve(req, before, parties, config);
    if ('replay' in reservation) return reservation.replay;
    const draft = giftEntry(senderId, req.toUserId, req.amount, {
      idempotencyKey: key,
      roomId: req.roomId ?? null,
      message: req.message ?? null,
      metadata: { requestId: req.requestId },
    });
    // The read above refuses the plain case early; the floor decides it again inside the posting
    // transaction, so gifts racing on several nodes cannot together spend unvested tokens.
    if (vesting > 0) draft.floor = { userId: senderId, minBalance: vesting };
    const outcome = await postWithReservation({ ledger: this.ctx.ledger, budgets: this.ctx.counters.budgets, logger: this.ctx.logger }, reservation.taken, draft);
    if (outcome.status === 'insufficient_funds' && outcome.floor !== undefined && outcome.balance >= req.amount) {
      throw new AppError('GIFT_TOKENS_VESTING', undefined, { giftable: giftableTokens(outcome.balance, outcome.floor), vestingTokens: outcome.floor, holdHours: config.gifts.receivedHoldHours });
    }
    if (outcome.status === 'insufficient_funds') throw new AppError('INSUFFICIENT_BALANCE', undefined, { balance: outcome.balance });
    if (outcome.status === 'duplicate') return this.replay(senderId, req, outcome.entry);
    return this.deliver(outcome, parties);
  }

  /** Read-only checks of sender, recipient and room; none of them writes anything. Answers the recipient's record. */
  private async checkRequest(senderId: string, req: GiftRequest, config: EconomyConfig): Promise<UserRecord> {
    if (req.toUserId === senderId) throw new AppError('CANNOT_GIFT_SELF');
    if (req.amount < config.gifts.amountMin) throw new AppError('INVALID_AMOUNT', undefined, { min: config.gifts.amountMin });
    const max = config.gifts.messageMaxChars;
    if (req.message !== undefined && req.message.length > max) throw new AppError('VALIDATION_FAILED', `message: at most ${max} characters`, { field: 'message', max });
    const recipient = await this.ctx.stores.users.findById(req.toUserId);
    if (!recipient) throw new AppError('USER_NOT_FOUND');
    if (recipient.bannedAt) throw new AppError('RECIPIENT_BANNED');
    if (req.roomId === undefined) return recipient;
    const rooms = this.ctx.stores.rooms;
    await memberRoom(rooms, req.roomId, senderId);
    if (await rooms.isBanned(req.roomId, req.toUserId)) throw new AppError('RECIPIENT_BANNED', 'The recipient is banned from this room');
    if (!(await rooms.getMembership(req.roomId, req.toUserId))) throw new AppError('NOT_A_MEMBER', 'The recipient is not a member of this room');
    return recipient;
  }

  /**
   * Issue 9, vesting: tokens received by gift or room reward within `gifts.receivedHoldHours` cannot
   * be gifted onward yet, so an alt's tokens cannot be passed back and forth to farm bonuses or
   * tiers. One ledger read (sums of recent credits), only when the hold is on. Answers the tokens
   * still vesting, which the post then keeps as a floor under the sender's balance.
   */
  private async checkVested(senderId: string, amount: number, balance: number, config: EconomyConfig): Promise<number> {
    const since = vestingSince(this.ctx.clock.now(), config);
    if (!since) return 0;
    const sums = await this.ctx.ledger.sumsByActivity(senderId, { direction: 'credit', kinds: [...VESTING_KINDS], since });
    const vestingTokens = Object.values(sums).reduce((a, b) => a + b, 0);
    const giftable = giftableTokens(balance, vestingTokens);
    if (amount > giftable) throw new AppError('GIFT_TOKENS_VESTING', undefined, { giftable, vestingTokens, holdHours: config.gifts.receivedHoldHours });
    return vestingTokens;
  }

  /**
   * Takes one gift and `amount` tokens of today's allowance, atomically across nodes. A refusal
   * may be a concurrent retry of a gift that has meanwhile been posted: that one answers as before.
   */
  private async reserve(
    req: GiftRequest,
    account: AccountState,
    parties: GiftParties,
    config: EconomyConfig,
  ): Promise<{ taken: BudgetReservation } | { replay: GiftResult }> {
    const senderId = parties.sender.id;
    // The effective tier: an active tier_upgrade purchase raises the allowance with the tier (docs/shop.md).
    const tier = raiseTier(tierOfAccount(account, config), parties.steps.get(senderId) ?? 0);
    const now = this.ctx.clock.now();
    // Issue 9: a young account's allowance is lowered whatever its tier (gifts.newAccountDays).
    const { tokens: allowance, newAccount } = senderGiftAllowance(tier, parties.sender.createdAt, now, config);
    let result;
    try {
      result = await reserveGift(this.ctx.counters.budgets, { senderId, amount: req.amount, at: this.ctx.clock.now(), maxCount: config.gifts.maxPerDay, maxTokens: allowance });
    } catch (err) {
      if (isCapsUnavailable(err)) throw new AppError('SERVICE_UNAVAILABLE', 'Gift limits cannot be checked right now');
      throw err;
    }
    if (result.ok) return { taken: result.reservation };
    const earlier = await this.ctx.ledger.findByIdempotencyKey(idempotencyKeys.gift(senderId, req.requestId));
    if (earlier) return { replay: await this.replay(senderId, req, earlier) };
    if (result.reason === 'COUNT_LIMIT') throw new AppError('GIFT_DAILY_COUNT_EXCEEDED', undefined, { limit: config.gifts.maxPerDay, remainingCount: result.remainingCount });
    if (newAccount) throw new AppError('GIFT_NEW_ACCOUNT_ALLOWANCE_EXCEEDED', undefined, { allowance, remainingTokens: result.remainingTokens, newAccountDays: config.gifts.newAccountDays });
    throw new AppError('GIFT_DAILY_ALLOWANCE_EXCEEDED', undefined, { tier, allowance, remainingTokens: result.remainingTokens });
  }

  /**
   * A repeated requestId: the first gift again (after making sure its bonus was paid), never a
   * second charge, with the sender's balance from right after it when its receipt is still held.
   */
  private async replay(senderId: string, req: GiftRequest, entry: JournalEntry): Promise<GiftResult> {
    if (!sameGift(entry, senderId, req)) throw new AppError('IDEMPOTENCY_CONFLICT');
    await payReceiveGiftBonus(this.ctx, { recipientId: req.toUserId, giftEntryId: entry.id, amount: req.amount, roomId: entry.roomId });
    const accounts = await this.ctx.ledger.accounts([senderId, req.toUserId]);
    const gift = await this.view(entry, accounts);
    const recorded = await this.receiptOf(entry);
    if (recorded !== null) return { gift, balance: recorded, balanceAsOf: 'gift', duplicate: true };
    return { gift, balance: accounts[senderId]?.balance ?? 0, balanceAsOf: 'now', duplicate: true };
  }

  /**
   * The receipt of `entry`. A concurrent request may have posted it a moment ago and not yet written
   * the receipt, so for a gift younger than RECEIPT_WAIT_MS this waits for it that long at most.
   */
  private async receiptOf(entry: JournalEntry): Promise<number | null> {
    const young = this.ctx.clock.now().getTime() - entry.createdAt.getTime() < RECEIPT_WAIT_MS;
    for (let polls = 0; ; polls++) {
      try {
        const recorded = await this.receipts.get(entry.id, this.ctx.clock.now());
        if (recorded !== null) return recorded;
      } catch (err) {
        this.ctx.logger.warn({ err, giftId: entry.id }, 'gift receipt not readable: answering the current balance');
        return null;
      }
      if (!young || polls >= RECEIPT_WAIT_MS / RECEIPT_POLL_MS) return null;
      await new Promise((resolve) => setTimeout(resolve, RECEIPT_POLL_MS));
    }
  }

  /**
   * After the gift is committed: the live event first (members watch it land without waiting for
   * anything else), then pushes, the recipient's bonus (a batched award) and the sender's gift
   * achievements. Failures here are logged, never undo the gift.
   */
  private async deliver(outcome: PostOutcome & { status: 'posted' }, parties: GiftParties): Promise<GiftResult> {
    const { entry } = outcome;
    const { senderId, recipientId, amount } = giftParties(entry);
    const sender = outcome.accounts[senderId] ?? (await this.ctx.ledger.account(senderId));
    const recipient = outcome.accounts[recipientId] ?? (await this.ctx.ledger.account(recipientId));
    // Written alongside the live event rather than before it; awaited before the answer.
    const receipt = this.receipts.put(entry.id, sender.balance, this.ctx.clock.now()).catch((err: unknown) => {
      this.ctx.logger.warn({ err, giftId: entry.id }, 'gift receipt not written: a retry will answer the current balance');
    });
    const accounts = { [senderId]: sender, [recipientId]: recipient };
    // The summaries from what this gift already read: the records (PIN check, recipient check),
    // the accounts right after the post and the tier steps of the allowance check (issue 16).
    const config = this.ctx.economy.current;
    const tiers = new Map([senderId, recipientId].map((id) => [id, tierInfoOf(accounts[id]!, parties.steps.get(id) ?? 0, config)]));
    const summaries = await this.ctx.userSummaries.withTiers([parties.sender, parties.recipient], tiers);
    const gift = await this.view(entry, accounts, summaries);
    try {
      await storeNotification(this.ctx, recipientId, 'gift', { ...gift });
    } catch (err) {
      this.ctx.logger.error({ err, giftId: entry.id }, 'gift notification not stored');
    }
    // One emit to both audiences: a socket that is in both gets it once.
    const combo = await comboOf(this.ctx, gift, entry.createdAt);
    this.ctx.broadcast.emit({ rooms: entry.roomId ? [entry.roomId] : [], users: [recipientId] }, 'gift:received', { ...gift, badges: { from: gift.from.badge ?? '', to: gift.to.badge ?? '' }, ...(combo ? { combo } : {}) });
    this.ctx.balanceNotifier.posted(outcome);
    await payReceiveGiftBonus(this.ctx, { recipientId, giftEntryId: entry.id, amount, roomId: entry.roomId, justPosted: true });
    await this.ctx.engagement.recordGift(senderId, sender.totalGifted);
    if (entry.roomId) await this.roomActivity?.recorded({ roomId: entry.roomId, userId: senderId, kind: 'gift', tokens: amount });
    await receipt;
    return { gift, balance: sender.balance, balanceAsOf: 'gift', duplicate: false };
  }

  /**
   * The gift as clients see it; badges come from the accounts when no tier source filled them in.
   * `known`: both parties' summaries when the caller has built them (a new gift); read otherwise.
   */
  private async view(entry: JournalEntry, accounts: Record<string, AccountState>, known?: Map<string, UserSummary>): Promise<GiftView> {
    const { senderId, recipientId, amount } = giftParties(entry);
    const summaries = known ?? (await this.ctx.userSummaries.many([senderId, recipientId]));
    const withTier = (userId: string): UserSummary => {
      const s = summaryOf(summaries, userId);
      const account = accounts[userId];
      if (s.badge || !account) return s;
      const config = this.ctx.economy.current;
      const tier = tierOfAccount(account, config);
      return { ...s, tier, badge: config.tiers.benefits[tier].badge };
    };
    return { giftId: entry.id, from: withTier(senderId), to: withTier(recipientId), amount, message: entry.message, roomId: entry.roomId, at: entry.createdAt.toISOString() };
  }
}

function giftParties(entry: JournalEntry): { senderId: string; recipientId: string; amount: number } {
  const debit = entry.legs.find((l) => l.amount < 0);
  const credit = entry.legs.find((l) => l.amount > 0);
  if (entry.kind !== 'gift' || !debit || !credit || !isUserAccount(debit.account) || !isUserAccount(credit.account)) {
    throw new AppError('LEDGER_INVARIANT_VIOLATED', 'Not a gift entry', { entryId: entry.id });
  }
  return { senderId: userIdOf(debit.account), recipientId: userIdOf(credit.account), amount: credit.amount };
}

/** Whether an earlier entry under this requestId is this very gift (same recipient, amount, room and message). */
function sameGift(entry: JournalEntry, senderId: string, req: GiftRequest): boolean {
  return (
    entry.kind === 'gift' &&
    entry.roomId === (req.roomId ?? null) &&
    entry.message === (req.message ?? null) &&
    entry.legs.some((l) => l.account === userAccount(senderId) && l.amount === -req.amount) &&
    entry.legs.some((l) => l.account === userAccount(req.toUserId) && l.amount === req.amount)
  );
}
