import { firstExitClaim } from '../market/rules.js';
import type { MarketService } from '../market/service.js';
import type { z } from 'zod';
import type { OwnedItemsView, PurchaseResult, RefundQuoteView, RefundResult, ShopItemView } from '../../shared/shop.js';
import type { shopPurchaseBody, shopRefundBody } from '../../shared/schemas.js';
import type { AppContext } from '../context.js';
import type { ShopItem } from '../economy/config/schema.js';
import { quoteRefund } from '../economy/rules/refunds.js';
import { refundEntry } from '../ledger/entries.js';
import type { JournalEntry } from '../ledger/ports.js';
import { ClaimRefusedError, idempotencyKeys } from '../ledger/rules.js';
import { AppError } from '../lib/app-error.js';
import type { PinGuard } from '../pin/pin-guard.js';
import { memberRoom, moderatorRoom } from '../rooms/access.js';
import { availabilityOf, effectOf, ItemEffects, needsMessage, needsRoom } from './effects.js';
import { lastingProductOf, type LastingProduct } from './lasting-effects.js';
import { announcePin } from './room-effects.js';
import { PURCHASES_LIST_MAX, type PurchaseRecord } from './ports.js';
import { purchaseDraft, purchaseFromEntry, samePurchase } from './purchase-entry.js';
import { purchaseView } from './views.js';
import type { ShopCatalogue } from './catalogue.js';
import { assertOnSale, limitRefusal, purchaseClaims } from './limited-editions.js';
import { heldRefusal, streakFreezeClaims } from './streak-freeze.js';

export type PurchaseRequest = z.output<typeof shopPurchaseBody>;
export type RefundRequest = z.output<typeof shopRefundBody>;

/** One refund per purchase: the ledger refuses a second entry under this key. */
export const refundKey = (purchaseId: string): string => `refund:purchase:${purchaseId}`;

/**
 * The shop: browsing the active catalogue, buying with the PIN, owned items and refunds.
 *
 * A purchase is two writes tied by one id: the ledger `spend` entry (idempotent by
 * `spend:<userId>:<requestId>`) first, then the purchase record whose id IS the entry id. A crash
 * between them leaves a charged entry without a record; a retry with the same requestId, or the
 * next owned-items read, rebuilds the record from the entry (it carries item, category and
 * duration). A refund starts on the record (compare-and-set, so a used consumable or a second
 * refund cannot slip in), posts one `refund` entry keyed by the purchase id, then records it.
 */
/** What the shop touches: the ledger, purchase records, room effects and balance pushes. */
export type ShopDeps = Pick<AppContext, 'balanceNotifier' | 'broadcast' | 'clock' | 'config' | 'economy' | 'ledger' | 'logger' | 'purchases' | 'stores'>;

export class ShopService {
  constructor(
    private readonly ctx: ShopDeps,
    private readonly pins: PinGuard,
    /** Issue 13: the catalogue (config defaults and the admin's items), limited editions' stock. */
    private readonly catalogue: ShopCatalogue,
    /** Issue 13 (market): refuses refunds of listed or traded items. */
    private readonly market: Pick<MarketService, 'assertRefundable'>,
  ) {}

  /** The catalogue, or one category of it (CATEGORY_NOT_FOUND when it has no items). */
  async items(category?: string): Promise<ShopItemView[]> {
    const all = await this.catalogue.items();
    if (category === undefined) return this.catalogue.views(all);
    const some = all.filter((i) => i.category === category);
    if (some.length === 0) throw new AppError('CATEGORY_NOT_FOUND', undefined, { category });
    return this.catalogue.views(some);
  }

  /**
   * The idempotency lookup, then the PIN, then read-only checks, then one ledger entry and the
   * record. A retry of a purchase that happened answers it without the PIN (as gifts do): the
   * key is scoped to the authenticated buyer, and a retry during a lockout or after a PIN change
   * must neither fail nor count as a wrong PIN. Every new purchase is PIN-checked first.
   */
  async purchase(userId: string, req: PurchaseRequest): Promise<PurchaseResult> {
    const key = idempotencyKeys.spend(userId, req.requestId);
    const earlier = await this.ctx.ledger.findByIdempotencyKey(key);
    if (earlier) return this.replay(userId, req, earlier);
    await this.pins.verify(userId, req.pin);

    const item = await this.catalogue.find(req.itemId);
    if (!item) throw new AppError('ITEM_NOT_FOUND', undefined, { itemId: req.itemId });
    const availability = availabilityOf(item);
    if (!availability.available) throw new AppError('ITEM_NOT_AVAILABLE', `${item.id}: ${availability.reason}`, { itemId: item.id, reason: availability.reason });
    assertOnSale(item, this.ctx.clock.now());
    await this.checkRoom(userId, item, req.roomId);
    await this.checkMessage(item, req.roomId, req.messageId);
    const before = await this.ctx.ledger.account(userId);
    if (before.balance < item.cost) throw new AppError('INSUFFICIENT_BALANCE', undefined, { balance: before.balance, cost: item.cost });

    // Limited editions and the streak freeze's held bound: counters taken with the charge, in one transaction.
    const claims = [...purchaseClaims(item, userId), ...(await streakFreezeClaims(this.ctx.purchases, item, userId, this.ctx.economy.current, this.catalogue))];
    const outcome = await this.postPurchase(purchaseDraft(userId, item, req, key, claims), item, userId);
    if (outcome.status === 'insufficient_funds') throw new AppError('INSUFFICIENT_BALANCE', undefined, { balance: outcome.balance, cost: item.cost });
    if (outcome.status === 'duplicate') return this.replay(userId, req, outcome.entry);
    // Pushed before the record is written: the tokens are gone even if that write fails (a retry completes it).
    this.ctx.balanceNotifier.posted(outcome);
    const purchase = await this.recordFrom(outcome.entry, userId);
    if (effectOf(item)?.kind === 'pinMessage') announcePin(this.ctx, purchase, new ItemEffects([item]));
    if (item.stock !== undefined) await this.catalogue.announceStock(item);
    const balance = outcome.accounts[userId]?.balance ?? (await this.ctx.ledger.account(userId)).balance;
    return { purchase: purchaseView(purchase, this.ctx.clock.now()), balance, duplicate: false };
  }

  /** Posts the purchase's entry; a counter's refusal becomes OUT_OF_STOCK, PURCHASE_LIMIT_REACHED or STREAK_FREEZE_LIMIT (nothing charged). */
  private async postPurchase(draft: ReturnType<typeof purchaseDraft>, item: ShopItem, userId: string) {
    try {
      return await this.ctx.ledger.post(draft);
    } catch (err) {
      if (!(err instanceof ClaimRefusedError)) throw err;
      throw limitRefusal(err, item, userId) ?? heldRefusal(err, userId, this.ctx.economy.current) ?? err;
    }
  }

  /**
   * A room item needs `roomId`: a pin any member may buy; customization and boost need the owner
   * or a moderator, and a boost a public room. Other items take no room.
   */
  private async checkRoom(userId: string, item: ShopItem, roomId: string | undefined): Promise<void> {
    if (!needsRoom(item)) {
      if (roomId !== undefined) throw new AppError('VALIDATION_FAILED', `roomId: ${item.id} is not a per-room item`, { field: 'roomId' });
      return;
    }
    if (roomId === undefined) throw new AppError('VALIDATION_FAILED', `roomId: ${item.id} is bought for a room`, { field: 'roomId' });
    const kind = effectOf(item)?.kind;
    if (kind === 'pinMessage') {
      await memberRoom(this.ctx.stores.rooms, roomId, userId);
      return;
    }
    const { room } = await moderatorRoom(this.ctx.stores.rooms, roomId, userId);
    if (kind === 'roomBoost' && room.visibility !== 'public') throw new AppError('ROOM_NOT_PUBLIC', undefined, { roomId });
  }

  /** A pin needs `messageId`, a message of `roomId`; other items take no message. */
  private async checkMessage(item: ShopItem, roomId: string | undefined, messageId: string | undefined): Promise<void> {
    if (!needsMessage(item)) {
      if (messageId !== undefined) throw new AppError('VALIDATION_FAILED', `messageId: ${item.id} is not bought for a message`, { field: 'messageId' });
      return;
    }
    if (messageId === undefined) throw new AppError('VALIDATION_FAILED', `messageId: ${item.id} is bought for a message`, { field: 'messageId' });
    const message = await this.ctx.stores.messages.findById(messageId);
    if (!message || message.roomId !== roomId) throw new AppError('MESSAGE_NOT_FOUND', undefined, { messageId });
  }

  /** A repeated requestId: the first purchase again (its record completed if a crash lost it), never a second charge. */
  private async replay(userId: string, req: PurchaseRequest, entry: JournalEntry): Promise<PurchaseResult> {
    if (!samePurchase(entry, userId, req)) throw new AppError('IDEMPOTENCY_CONFLICT');
    const purchase = await this.recordFrom(entry, userId);
    const { balance } = await this.ctx.ledger.account(userId);
    return { purchase: purchaseView(purchase, this.ctx.clock.now()), balance, duplicate: true };
  }

  private async recordFrom(entry: JournalEntry, userId: string): Promise<PurchaseRecord> {
    const draft = purchaseFromEntry(entry, userId);
    if (!draft) throw new AppError('LEDGER_INVARIANT_VIOLATED', 'Not a purchase entry', { entryId: entry.id });
    return (await this.ctx.purchases.record(draft)).purchase;
  }

  /** The user's purchases split into in effect now and no longer in effect; records lost to a crash are rebuilt first. */
  async owned(userId: string): Promise<OwnedItemsView> {
    const user = await this.ctx.stores.users.findById(userId);
    if (!user) throw new AppError('USER_NOT_FOUND');
    await this.repairRecent(userId);
    const at = this.ctx.clock.now();
    const views = (await this.ctx.purchases.listByUser(userId, PURCHASES_LIST_MAX)).map((p) => purchaseView(p, at));
    return { userId, active: views.filter((v) => v.state === 'active'), expired: views.filter((v) => v.state !== 'active') };
  }

  /** Rebuilds the records of the user's most recent shop spends, if any is missing (idempotent). */
  private async repairRecent(userId: string): Promise<void> {
    const page = await this.ctx.ledger.history(userId, { kind: 'spend', limit: REPAIR_SCAN_ENTRIES });
    for (const entry of page.items) {
      const draft = purchaseFromEntry(entry, userId);
      if (draft && !(await this.ctx.purchases.findById(draft.id))) {
        await this.ctx.purchases.record(draft);
        this.ctx.logger.warn({ userId, purchaseId: draft.id }, 'purchase record rebuilt from its ledger entry');
      }
    }
  }

  /** The seed's refund policy; the refunded item stops working at once (its record is no longer active). */
  async refund(userId: string, req: RefundRequest): Promise<RefundResult> {
    await this.pins.verify(userId, req.pin);
    const purchase = await this.ctx.purchases.findById(req.purchaseId);
    if (!purchase || purchase.userId !== userId) throw new AppError('PURCHASE_NOT_FOUND');
    if (purchase.refundEntryId) throw new AppError('ALREADY_REFUNDED');
    // Issue 13 (market): not while listed, never once traded.
    await this.market.assertRefundable(purchase.id);
    // A refund started earlier whose entry is not recorded: another request is finishing it, or
    // it crashed half-way. Posting under the same key settles which: only one post is `posted`.
    if (purchase.refundedAt && purchase.refundAmount !== null) return this.postRefund(purchase, purchase.refundAmount, 'RESUMED', false);

    const quote = await this.quote(purchase);
    if (quote.amount === 0) throw new AppError('REFUND_NOT_ALLOWED', undefined, { rule: quote.rule, percent: quote.percent });
    // Issue 9: a refund never leaves behind what the item produced (rooms, a large file, storage).
    const lasting = await this.lasting(purchase);
    if (lasting) throw new AppError('ITEM_USED', undefined, { ...lasting });
    const started = await this.ctx.purchases.beginRefund(purchase.id, { at: this.ctx.clock.now(), amount: quote.amount, requireUnused: quote.rule === 'UNUSED' });
    if (!started) {
      const now = await this.ctx.purchases.findById(purchase.id);
      if (now?.refundedAt) throw new AppError('ALREADY_REFUNDED');
      throw new AppError('REFUND_NOT_ALLOWED', undefined, { rule: 'CONSUMED', percent: 0 });
    }
    return this.postRefund(purchase, quote.amount, quote.rule, true);
  }

  /** What a refund of the caller's purchase would pay now, ITEM_USED included (nothing is changed). */
  async refundQuote(userId: string, purchaseId: string): Promise<RefundQuoteView> {
    const purchase = await this.ctx.purchases.findById(purchaseId);
    if (!purchase || purchase.userId !== userId) throw new AppError('PURCHASE_NOT_FOUND');
    if (purchase.refundedAt) return { purchaseId, refundable: false, amount: 0, percent: 0, rule: 'ALREADY_REFUNDED' };
    const quote = await this.quote(purchase);
    if (quote.amount === 0) return { purchaseId, refundable: false, amount: 0, percent: quote.percent, rule: quote.rule };
    const lasting = await this.lasting(purchase);
    if (lasting) return { purchaseId, refundable: false, amount: 0, percent: 0, rule: 'ITEM_USED', produced: { ...lasting } };
    return { purchaseId, refundable: true, amount: quote.amount, percent: quote.percent, rule: quote.rule };
  }

  private async lasting(p: PurchaseRecord): Promise<LastingProduct | null> {
    const deps = { purchases: this.ctx.purchases, ledger: this.ctx.ledger, rooms: this.ctx.stores.rooms, files: this.ctx.stores.files, effects: await this.catalogue.effectsFor([p.itemId]) };
    return lastingProductOf(deps, p, this.ctx.clock.now(), this.ctx.economy.current);
  }

  /** The refund policy's answer for the item as the catalogue has it now (a limited edition: LIMITED_EDITION, docs/shop.md). */
  private async quote(p: PurchaseRecord): Promise<ReturnType<typeof quoteRefund>> {
    const at = this.ctx.clock.now();
    const config = this.ctx.economy.current;
    const item = await this.catalogue.find(p.itemId);
    // The duration bought is the one recorded; an item since removed from the catalogue keeps it.
    const duration: ShopItem['duration'] = p.expiresAt
      ? { kind: 'timed', hours: Math.max(1, Math.round((p.expiresAt.getTime() - p.createdAt.getTime()) / 3_600_000)) }
      : (item?.duration ?? { kind: 'permanent' });
    const limits = { ...(item?.stock !== undefined ? { stock: item.stock } : {}), ...(item?.perUserLimit !== undefined ? { perUserLimit: item.perUserLimit } : {}) };
    return quoteRefund({ item: { duration, ...limits }, cost: p.cost, purchasedAt: p.createdAt, at, used: p.usedAt !== null }, config);
  }

  /**
   * Posts the refund entry (sink -> user) and records it. A failed post undoes the refund this
   * request started (`ownsStart`); one resumed from another request is left for it to settle. A
   * `duplicate` means another request already paid it: recorded, and answered ALREADY_REFUNDED.
   */
  private async postRefund(p: PurchaseRecord, amount: number, rule: string, ownsStart: boolean): Promise<RefundResult> {
    const draft = refundEntry(p.userId, amount, {
      idempotencyKey: refundKey(p.id),
      activity: `shop:${p.itemId}`,
      roomId: p.roomId,
      actorId: p.userId,
      metadata: { purchaseId: p.id, rule },
    });
    let outcome;
    try {
      // Issue 13 (market): the purchase's one exit, which its first market sale also takes.
      outcome = await this.ctx.ledger.post({ ...draft, claims: [firstExitClaim(p.id)] });
    } catch (err) {
      if (ownsStart) await this.ctx.purchases.abortRefund(p.id);
      // A market sale of the item posted first: the buyer owns it now.
      if (err instanceof ClaimRefusedError) throw new AppError('REFUND_NOT_ALLOWED', 'The item was sold on the market', { rule: 'TRADED', percent: 0 });
      throw err;
    }
    if (outcome.status === 'insufficient_funds') {
      // The sink holds every spent token, so this is a broken invariant, not a user error.
      if (ownsStart) await this.ctx.purchases.abortRefund(p.id);
      throw new AppError('LEDGER_INVARIANT_VIOLATED', 'The sink cannot cover this refund', { purchaseId: p.id });
    }
    await this.ctx.purchases.completeRefund(p.id, outcome.entry.id);
    if (outcome.status === 'duplicate') throw new AppError('ALREADY_REFUNDED');
    this.ctx.balanceNotifier.posted(outcome);
    const after = (await this.ctx.purchases.findById(p.id)) ?? p;
    const balance = outcome.accounts[p.userId]?.balance ?? (await this.ctx.ledger.account(p.userId)).balance;
    return { purchase: purchaseView(after, this.ctx.clock.now()), refunded: amount, rule, balance };
  }
}

/** How many of the newest spend entries an owned-items read checks for a missing record. */
export const REPAIR_SCAN_ENTRIES = 50;

