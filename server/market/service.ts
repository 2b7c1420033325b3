import { ClaimRefusedError, TransferRefusedError } from '../ledger/rules.js';
import type { ListingView, MarketPurchaseResult, PriceHistoryView } from '../../shared/market.js';
import type { EconomyConfigHolder } from '../economy/config/holder.js';
import type { ShopItem } from '../economy/config/schema.js';
import type { BalanceNotifier } from '../earning/balance-notifier.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { JournalEntry } from '../ledger/ports.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { PinGuard } from '../pin/pin-guard.js';
import type { Audience, Broadcaster } from '../realtime/broadcaster.js';
import type { PurchaseStore } from '../shop/ports.js';
import { toPage } from '../stores/page.js';
import type { Page, UserStore } from '../stores/ports.js';
import type { ListingRecord, MarketStore } from './ports.js';
import { CLAIM_TTL_MS, claimLive, isTransferable, listingExpiresAt, listingStatusAt, priceBoundsOf, saleDraft, saleFee, saleFromEntry, saleKey, tradeRefusal } from './rules.js';
import { listingView, saleView } from './views.js';

/**
 * The watchers' channel: `market:watch` subscribes a socket to it (server/market/feature.ts) and
 * the service emits `market:*` to it through the Broadcaster as to a room. Room ids are generated
 * ULIDs, so this fixed name can never be a real room's.
 */
export const MARKET_FEED = 'market-feed';

/** Listings one sweep closes or recovers at most (the next sweep takes the rest). */
export const MARKET_SWEEP_BATCH = 200;

export interface MarketDeps {
  store: MarketStore;
  purchases: Pick<PurchaseStore, 'findById'>;
  ledger: Pick<LedgerService, 'post' | 'findByIdempotencyKey' | 'account'>;
  users: Pick<UserStore, 'findManyByIds'>;
  /** The cosmetics the user has equipped (item ids by slot): an equipped one cannot be listed. */
  equippedItems(userId: string): Promise<readonly string[]>;
  economy: Pick<EconomyConfigHolder, 'current'>;
  /** The shop catalogue (config items and the admin's runtime ones): what a listed purchase's item is now. */
  catalogue: { find(itemId: string): Promise<ShopItem | null> };
  pins: Pick<PinGuard, 'verify'>;
  broadcast: Pick<Broadcaster, 'emit'>;
  notifier: BalanceNotifier;
  clock: Clock;
  newId: IdGenerator;
  logger: Pick<Logger, 'warn' | 'error'>;
}

export interface ListRequest {
  purchaseId: string;
  price: number;
  requestId: string;
}

export interface BrowseQuery {
  itemId?: string | undefined;
  sort?: 'price' | 'time' | undefined;
  before?: string | undefined;
  limit?: number | undefined;
}

/**
 * The trading marketplace (issue 13, docs/market.md). A sale is: every check (PIN, listing open,
 * not one's own, not a linked account, balance), then the buyer's claim on the listing (one buyer
 * at a time, across nodes), then ONE ledger `trade` entry under the listing's own idempotency key
 * (so at most one sale per listing can ever be charged) whose companion write (EntryDraft.transfer)
 * moves the purchase record to the buyer and closes the listing in the same posting transaction:
 * the charge, the fee, the item and the listing commit together or not at all. A refused sale
 * drops its claim. A stale claim is dropped by the next read, buy or sweep; one whose entry was
 * posted without its move (a version before the move joined the posting transaction) is completed
 * from the entry.
 */
export class MarketService {
  constructor(private readonly deps: MarketDeps) {}

  /** Lists one of the caller's purchases for `price`; 201 with the listing, or the first one again on a repeated requestId. */
  async list(sellerId: string, req: ListRequest): Promise<{ listing: ListingView; duplicate: boolean }> {
    const at = this.deps.clock.now();
    const config = this.deps.economy.current;
    const purchase = await this.deps.purchases.findById(req.purchaseId);
    if (!purchase || purchase.userId !== sellerId) throw new AppError('PURCHASE_NOT_FOUND');
    const item = (await this.deps.catalogue.find(purchase.itemId)) ?? undefined;
    const transfer = isTransferable(item, purchase, at);
    if (!transfer.transferable) throw new AppError('ITEM_NOT_TRANSFERABLE', undefined, { itemId: purchase.itemId, reason: transfer.reason });
    const bounds = priceBoundsOf(config.market, purchase.itemId);
    if (req.price < bounds.min || req.price > bounds.max) throw new AppError('PRICE_OUT_OF_BOUNDS', undefined, { ...bounds, price: req.price });
    if ((await this.deps.equippedItems(sellerId)).includes(purchase.itemId)) throw new AppError('ITEM_EQUIPPED', undefined, { itemId: purchase.itemId });

    const created = await this.deps.store.create(
      { id: this.deps.newId(), sellerId, requestId: req.requestId, purchaseId: purchase.id, itemId: purchase.itemId, price: req.price, createdAt: at, expiresAt: listingExpiresAt(config.market, at) },
      at,
    );
    if (created.status === 'already_listed') throw new AppError('ITEM_LISTED', undefined, { listingId: created.listing.id });
    if (created.status === 'duplicate') {
      if (created.listing.purchaseId !== req.purchaseId || created.listing.price !== req.price) throw new AppError('IDEMPOTENCY_CONFLICT');
      return { listing: listingView(created.listing, at), duplicate: true };
    }
    const listing = listingView(created.listing, at);
    this.deps.broadcast.emit({ rooms: [MARKET_FEED], users: [sellerId] }, 'market:listed', { listing });
    return { listing, duplicate: false };
  }

  /** Open listings (not expired), of one item or all, cheapest or newest first, paged by the last id. */
  async browse(q: BrowseQuery): Promise<Page<ListingView>> {
    const at = this.deps.clock.now();
    const limit = q.limit ?? 50;
    const sort = q.sort ?? 'time';
    let after: { id: string; price: number } | undefined;
    if (q.before !== undefined) {
      const cursor = await this.deps.store.findById(q.before);
      if (!cursor) throw new AppError('VALIDATION_FAILED', 'before: no such listing', { field: 'before' });
      after = { id: cursor.id, price: cursor.price };
    }
    const rows = await this.deps.store.listOpen({ ...(q.itemId !== undefined ? { itemId: q.itemId } : {}), sort, ...(after ? { after } : {}), limit }, at);
    const page = toPage(rows, limit);
    return { items: page.items.map((l) => listingView(l, at)), nextCursor: page.nextCursor };
  }

  /** One listing, a crashed sale of it completed first. */
  async get(listingId: string): Promise<ListingView> {
    const listing = await this.recovered(await this.find(listingId));
    return listingView(listing, this.deps.clock.now());
  }

  /** Cancels an open listing: by its seller, or an admin (`asAdmin`). The item returns to normal use. */
  async cancel(userId: string, listingId: string, asAdmin: boolean): Promise<ListingView> {
    const listing = await this.recovered(await this.find(listingId));
    if (listing.sellerId !== userId && !asAdmin) throw new AppError('FORBIDDEN', 'Only the seller or an admin may cancel a listing');
    const at = this.deps.clock.now();
    if (listingStatusAt(listing, at) !== 'open') throw new AppError('LISTING_NOT_AVAILABLE', undefined, { status: listingStatusAt(listing, at) });
    const cancelled = await this.deps.store.cancel(listing.id, at);
    // Null: a buyer's live claim holds it (or it closed meanwhile); the sale decides.
    if (!cancelled) throw new AppError('LISTING_NOT_AVAILABLE', undefined, { status: 'being_bought' });
    const view = listingView(cancelled, at);
    this.deps.broadcast.emit({ rooms: [MARKET_FEED], users: [cancelled.sellerId] }, 'market:closed', { listing: view, reason: 'cancelled' });
    return view;
  }

  /**
   * Buys a listing with the PIN. Every refusal comes before any write; the loser of two racing
   * buyers gets LISTING_NOT_AVAILABLE and is not charged. A retry with the same requestId answers
   * the first sale (no PIN needed: the key is scoped to the buyer, as for shop purchases).
   */
  async buy(buyerId: string, listingId: string, req: { pin: string; requestId: string }): Promise<MarketPurchaseResult> {
    const earlier = await this.deps.ledger.findByIdempotencyKey(saleKey(listingId));
    if (earlier) return this.replay(buyerId, req.requestId, earlier);
    await this.deps.pins.verify(buyerId, req.pin);

    const at = this.deps.clock.now();
    const listing = await this.recovered(await this.find(listingId));
    if (listing.sellerId === buyerId) throw new AppError('CANNOT_BUY_OWN_LISTING');
    const status = listingStatusAt(listing, at);
    if (status !== 'open' || claimLive(listing, at)) throw new AppError('LISTING_NOT_AVAILABLE', undefined, { status: status === 'open' ? 'being_bought' : status });
    await this.checkParties(listing.sellerId, buyerId);
    if (!(await this.sellerHolds(listing))) throw new AppError('LISTING_NOT_AVAILABLE', undefined, { status: 'item_gone' });
    const { balance } = await this.deps.ledger.account(buyerId);
    if (balance < listing.price) throw new AppError('INSUFFICIENT_BALANCE', undefined, { balance, cost: listing.price });

    const claimed = await this.deps.store.claim(listing.id, { buyerId, requestId: req.requestId, until: new Date(at.getTime() + CLAIM_TTL_MS) }, at);
    if (!claimed) throw new AppError('LISTING_NOT_AVAILABLE', undefined, { status: 'being_bought' });
    // Whether the seller still holds the item (a refund may have begun meanwhile) and the claim is
    // still this request's is decided again inside the posting transaction, by the entry's transfer.
    const fee = saleFee(listing.price, this.deps.economy.current.market.feePercent);
    const firstSale = !(await this.deps.store.everSold(listing.purchaseId));
    let outcome;
    try {
      outcome = await this.deps.ledger.post(saleDraft(listing, buyerId, req.requestId, fee, firstSale));
    } catch (err) {
      await this.deps.store.release(listing.id, req.requestId);
      // A refund of the purchase posted first (it took the purchase's one exit): nothing was charged.
      if (err instanceof ClaimRefusedError) throw new AppError('LISTING_NOT_AVAILABLE', undefined, { status: 'item_gone' });
      if (err instanceof TransferRefusedError) throw new AppError('LISTING_NOT_AVAILABLE', undefined, { status: await this.refusedStatus(listing.id, err) });
      throw err;
    }
    if (outcome.status === 'insufficient_funds') {
      await this.deps.store.release(listing.id, req.requestId);
      throw new AppError('INSUFFICIENT_BALANCE', undefined, { balance: outcome.balance, cost: listing.price });
    }
    if (outcome.status === 'duplicate') {
      await this.deps.store.release(listing.id, req.requestId);
      return this.replay(buyerId, req.requestId, outcome.entry);
    }
    this.deps.notifier.posted(outcome);
    // Posted means sold: the listing closed and the item moved in the entry's own transaction.
    const sold = await this.find(listing.id);
    this.announceSold(sold);
    const after = outcome.accounts[buyerId]?.balance ?? (await this.deps.ledger.account(buyerId)).balance;
    return { listing: listingView(sold, this.deps.clock.now()), sellerReceived: listing.price - fee, fee, balance: after, duplicate: false };
  }

  /** The item's sales, newest first, and its last-sale price. */
  async history(itemId: string, limit = 50): Promise<PriceHistoryView> {
    const sales = (await this.deps.store.sales(itemId, limit)).map(saleView);
    return { itemId, lastSale: sales[0] ?? null, sales };
  }

  /** Whether the purchase is listed now (open, not expired): escrow for equip and refunds. */
  async listedPurchaseIds(purchaseIds: readonly string[]): Promise<Set<string>> {
    return this.deps.store.openPurchaseIds(purchaseIds, this.deps.clock.now());
  }

  /**
   * The market's word on a refund of the purchase: refused while it is listed (ITEM_LISTED), and
   * for good once it was sold on the market (its owner did not buy it from the shop).
   */
  async assertRefundable(purchaseId: string): Promise<void> {
    if ((await this.listedPurchaseIds([purchaseId])).size > 0) throw new AppError('ITEM_LISTED', undefined, { purchaseId });
    if (await this.deps.store.everSold(purchaseId)) throw new AppError('REFUND_NOT_ALLOWED', 'Items bought on the market are not refundable', { rule: 'TRADED', percent: 0 });
  }

  /**
   * The sweep: completes or releases stale claims (sales that crashed half-way), then closes
   * expired listings and tells watchers and sellers. Returns how many listings it expired.
   */
  async sweep(): Promise<number> {
    const at = this.deps.clock.now();
    for (const listing of await this.deps.store.staleClaims(at, MARKET_SWEEP_BATCH)) await this.recovered(listing);
    const expired = await this.deps.store.expireDue(at, MARKET_SWEEP_BATCH);
    for (const listing of expired) {
      this.deps.broadcast.emit({ rooms: [MARKET_FEED], users: [listing.sellerId] }, 'market:closed', { listing: listingView(listing, at), reason: 'expired' });
    }
    return expired.length;
  }

  /** Whether the seller still holds the listed purchase, unrefunded and unused (what the sale will move). */
  private async sellerHolds(listing: ListingRecord): Promise<boolean> {
    const purchase = await this.deps.purchases.findById(listing.purchaseId);
    return purchase !== null && purchase.userId === listing.sellerId && purchase.refundedAt === null && purchase.usedAt === null;
  }

  private async find(listingId: string): Promise<ListingRecord> {
    const listing = await this.deps.store.findById(listingId);
    if (!listing) throw new AppError('LISTING_NOT_FOUND', undefined, { listingId });
    return listing;
  }

  /** Not one's own listing; no wash trading between linked accounts while the multiple-accounts rule is on. */
  private async checkParties(sellerId: string, buyerId: string): Promise<void> {
    const users = await this.deps.users.findManyByIds([sellerId, buyerId]);
    const seller = users.find((u) => u.id === sellerId);
    const buyer = users.find((u) => u.id === buyerId);
    if (!seller || !buyer) throw new AppError('LISTING_NOT_AVAILABLE', undefined, { status: 'seller_gone' });
    const ruleOn = this.deps.economy.current.antiAbuse.multipleAccounts.accountsPerIpDaily !== null;
    const refusal = tradeRefusal(seller, buyer, ruleOn);
    if (refusal === 'OWN_LISTING') throw new AppError('CANNOT_BUY_OWN_LISTING');
    if (refusal === 'LINKED') throw new AppError('LINKED_ACCOUNTS_TRADE');
  }

  /**
   * A listing whose claim went stale: its sale either posted (then it is completed from the
   * entry) or never did (then the claim is dropped). Other listings are returned as they are.
   */
  private async recovered(listing: ListingRecord): Promise<ListingRecord> {
    const at = this.deps.clock.now();
    if (listing.status !== 'open' || !listing.claim || claimLive(listing, at)) return listing;
    const entry = await this.deps.ledger.findByIdempotencyKey(saleKey(listing.id));
    const sale = entry ? saleFromEntry(entry) : null;
    if (entry && sale) return this.settle(listing, entry, sale.buyerId);
    await this.deps.store.release(listing.id, listing.claim.requestId);
    return (await this.deps.store.findById(listing.id)) ?? listing;
  }

  /** What LISTING_NOT_AVAILABLE says when the posting transaction refused the sale's transfer. */
  private async refusedStatus(listingId: string, err: TransferRefusedError): Promise<string> {
    if (err.reason === 'claim_lost') return 'being_bought';
    if (err.reason === 'item_gone') return 'item_gone';
    return (await this.deps.store.findById(listingId))?.status ?? 'closed';
  }

  /** Tells watchers, seller and buyer of a sale. */
  private announceSold(sold: ListingRecord): void {
    const audience: Audience = { rooms: [MARKET_FEED], users: [sold.sellerId, ...(sold.buyerId ? [sold.buyerId] : [])] };
    this.deps.broadcast.emit(audience, 'market:sold', { listing: listingView(sold, this.deps.clock.now()), price: sold.price });
  }

  /**
   * Completes a sale whose entry was posted without its move (by a version before the move joined
   * the posting transaction; such an entry has no companion write): closes the listing as sold
   * and moves the item, idempotently, and tells everyone.
   */
  private async settle(listing: ListingRecord, entry: JournalEntry, buyerId: string): Promise<ListingRecord> {
    const sold = await this.deps.store.settle(listing.id, { buyerId, saleEntryId: entry.id, at: entry.createdAt });
    if (!sold) {
      // Charged but the item could not move (refunded or changed behind the escrow): never silent.
      this.deps.logger.error({ listingId: listing.id, entryId: entry.id, buyerId }, 'market sale posted but the listing could not be settled');
      throw new AppError('LEDGER_INVARIANT_VIOLATED', 'The sale was charged but the item could not be moved; operators are alerted', { listingId: listing.id, entryId: entry.id });
    }
    if (listing.status === 'open') this.announceSold(sold);
    return sold;
  }

  /** An earlier sale of this listing: the first answer again for its own buyer and request, LISTING_NOT_AVAILABLE for anyone else. */
  private async replay(buyerId: string, requestId: string, entry: JournalEntry): Promise<MarketPurchaseResult> {
    const sale = saleFromEntry(entry);
    if (!sale) throw new AppError('LEDGER_INVARIANT_VIOLATED', 'Not a market sale entry', { entryId: entry.id });
    const listing = await this.find(sale.listingId);
    if (sale.buyerId !== buyerId || sale.requestId !== requestId) {
      // Someone else's sale: its own request settles it (or, once its claim is stale, this read does).
      await this.recovered(listing);
      throw new AppError('LISTING_NOT_AVAILABLE', undefined, { status: 'sold' });
    }
    const sold = listing.status === 'sold' ? listing : await this.settle(listing, entry, sale.buyerId);
    const { balance } = await this.deps.ledger.account(buyerId);
    return { listing: listingView(sold, this.deps.clock.now()), sellerReceived: sold.price - sale.fee, fee: sale.fee, balance, duplicate: true };
  }
}
