import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { emitAck, waitFor } from '../support/socket.js';
import { ManualClock } from '../../server/lib/clock.js';
import { saleDraft, firstExitClaim, CLAIM_TTL_MS } from '../../server/market/rules.js';
import { refundEntry } from '../../server/ledger/entries.js';
import { ClaimRefusedError } from '../../server/ledger/rules.js';
import { socketPool, type TestUser } from './chat-fixtures.js';
import { as } from './engagement-fixtures.js';
import { giftUser, makeAdmin, overridesFile, rid } from './gifts-fixtures.js';
import { bought, owned, refund } from './shop-fixtures.js';
import { balances, buyListing, cancelListing, equip, expectCleanAudit, listItem, listed } from './market-fixtures.js';

/**
 * The trading marketplace (issue 13, docs/market.md) over real HTTP, SQLite and sockets, with a
 * ManualClock for expiry: every route's success and error paths, escrow, the sale as one ledger
 * entry (5% fee to the sink in the current preset), two buyers racing for one listing, crash
 * recovery of a sale, and the ledger audit after each.
 */
const clock = new ManualClock('2026-03-02T10:00:00.000Z');
const pool = socketPool();
let srv: TestServer;
let admin: TestUser;

beforeAll(async () => {
  srv = await startTestServer({ clock });
  admin = await makeAdmin(srv);
});
afterAll(async () => {
  await srv.stop();
});
afterEach(() => pool.closeAll());

/** A seller holding one avatar frame (bought from the shop) and a buyer with `balance` tokens. */
async function pair(balance = 1000): Promise<{ seller: TestUser; buyer: TestUser; purchaseId: string }> {
  // Signed now: earlier tests move the manual clock past the admin token's lifetime.
  admin = { ...admin, api: as(srv, admin, 'admin') };
  const seller = await giftUser(srv, 'mSeller', { admin, balance: 500 });
  const buyer = await giftUser(srv, 'mBuyer', { admin, balance });
  const purchaseId = await bought(srv, seller, 'custom_avatar_frame');
  return { seller, buyer, purchaseId };
}

describe('listing', () => {
  it('lists an owned cosmetic; a retry answers the first listing; the purchase cannot be listed twice', async () => {
    const { seller, purchaseId } = await pair();
    const first = await listItem(srv, seller, purchaseId, 300, 'list-once');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ duplicate: false, listing: { sellerId: seller.id, purchaseId, itemId: 'custom_avatar_frame', price: 300, status: 'open', buyerId: null } });
    expect(Date.parse(first.body.listing.expiresAt) - clock.now().getTime()).toBe(72 * 3_600_000);

    const again = await listItem(srv, seller, purchaseId, 300, 'list-once');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, listing: { id: first.body.listing.id } });
    const conflict = await listItem(srv, seller, purchaseId, 301, 'list-once');
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    const twice = await listItem(srv, seller, purchaseId, 250);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'ITEM_LISTED', details: { listingId: first.body.listing.id } });

    const one = await as(srv, seller).get(`/api/market/listings/${first.body.listing.id}`);
    expect(one.body.listing).toMatchObject({ id: first.body.listing.id, status: 'open' });
    expect((await as(srv, seller).get('/api/market/listings/NOPE')).body.error.code).toBe('LISTING_NOT_FOUND');
  });

  it('refuses what may not be traded, prices out of bounds, equipped cosmetics and others’ purchases', async () => {
    const { seller, buyer, purchaseId } = await pair();
    const timed = await bought(srv, seller, 'extra_5gb_storage');
    const consumable = await bought(srv, seller, 'private_room_create');
    const r1 = await listItem(srv, seller, timed, 50);
    expect(r1.status).toBe(409);
    expect(r1.body.error).toMatchObject({ code: 'ITEM_NOT_TRANSFERABLE', details: { reason: 'timed' } });
    expect((await listItem(srv, seller, consumable, 50)).body.error).toMatchObject({ code: 'ITEM_NOT_TRANSFERABLE', details: { reason: 'consumable' } });
    const high = await listItem(srv, seller, purchaseId, 100_001);
    expect(high.status).toBe(400);
    expect(high.body.error).toMatchObject({ code: 'PRICE_OUT_OF_BOUNDS', details: { min: 1, max: 100_000 } });
    expect((await listItem(srv, seller, purchaseId, 0)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await listItem(srv, buyer, purchaseId, 100)).body.error.code).toBe('PURCHASE_NOT_FOUND');

    expect((await equip(srv, seller, { avatar_frame: 'custom_avatar_frame' })).status).toBe(200);
    expect((await listItem(srv, seller, purchaseId, 100)).body.error.code).toBe('ITEM_EQUIPPED');
    expect((await equip(srv, seller, { avatar_frame: null })).status).toBe(200);
    expect((await listItem(srv, seller, purchaseId, 100)).status).toBe(201);
    // Refusals wrote nothing: one listing only.
    expect((await as(srv, seller).get('/api/market/listings?itemId=custom_avatar_frame&limit=100')).body.items.filter((l: { sellerId: string }) => l.sellerId === seller.id)).toHaveLength(1);
  });

  it('a listed item is in escrow: it cannot be equipped or refunded until the listing closes', async () => {
    const { seller, purchaseId } = await pair();
    const listingId = await listed(srv, seller, purchaseId, 120);
    const eq = await equip(srv, seller, { avatar_frame: 'custom_avatar_frame' });
    expect(eq.status).toBe(409);
    expect(eq.body.error.code).toBe('ITEM_LISTED');
    expect((await refund(srv, seller, purchaseId)).body.error.code).toBe('ITEM_LISTED');
    expect((await cancelListing(srv, seller, listingId)).status).toBe(200);
    expect((await equip(srv, seller, { avatar_frame: 'custom_avatar_frame' })).status).toBe(200);
  });

  it('browses open listings by item, cheapest or newest first, in pages', async () => {
    const seller = await giftUser(srv, 'mShelf', { admin, balance: 1000 });
    const prices = [70, 30, 50];
    const ids: string[] = [];
    for (const price of prices) ids.push(await listed(srv, seller, await bought(srv, seller, 'custom_chat_color'), price));
    const mine = (items: Array<{ id: string }>) => items.filter((l) => ids.includes(l.id)).map((l) => l.id);

    const cheapest = await as(srv, seller).get('/api/market/listings?itemId=custom_chat_color&sort=price&limit=100');
    expect(cheapest.status).toBe(200);
    expect(mine(cheapest.body.items)).toEqual([ids[1], ids[2], ids[0]]);
    const newest = await as(srv, seller).get('/api/market/listings?itemId=custom_chat_color&sort=time&limit=100');
    expect(mine(newest.body.items)).toEqual([ids[2], ids[1], ids[0]]);
    expect(cheapest.body.items.every((l: { itemId: string; status: string }) => l.itemId === 'custom_chat_color' && l.status === 'open')).toBe(true);

    // Paging by the last id of the page walks every listing once, in order.
    const seen: string[] = [];
    let before: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string; price: number }>; nextCursor: string | null } } = await as(srv, seller).get(`/api/market/listings?itemId=custom_chat_color&sort=price&limit=1${before ? `&before=${before}` : ''}`);
      seen.push(...page.body.items.map((l) => l.id));
      before = page.body.nextCursor;
    } while (before);
    expect(mine(seen.map((id) => ({ id })))).toEqual([ids[1], ids[2], ids[0]]);
    expect((await as(srv, seller).get('/api/market/listings?sort=cheap')).body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('buying', () => {
  it('is one ledger entry: buyer pays, seller gets price minus the fee, the sink the fee; the item moves', async () => {
    const { seller, buyer, purchaseId } = await pair(1000);
    const watcher = await pool.open(srv, admin);
    expect(await emitAck(watcher, 'market:watch', { watch: true })).toEqual({ ok: true, data: { watching: true } });
    const listedEvent = waitFor(watcher, 'market:listed', (e) => e.listing.purchaseId === purchaseId);
    const listingId = await listed(srv, seller, purchaseId, 200);
    expect((await listedEvent).listing).toMatchObject({ id: listingId, price: 200 });

    const before = await balances(srv, [seller, buyer]);
    const soldEvent = waitFor(watcher, 'market:sold', (e) => e.listing.id === listingId);
    const res = await buyListing(srv, buyer, listingId, { requestId: 'buy-once' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ duplicate: false, fee: 10, sellerReceived: 190, balance: 800, listing: { status: 'sold', buyerId: buyer.id } });
    expect(await soldEvent).toMatchObject({ price: 200, listing: { id: listingId, status: 'sold' } });
    const after = await balances(srv, [seller, buyer]);
    expect(after.users).toEqual([before.users[0]! + 190, before.users[1]! - 200]);
    expect(after.sink - before.sink).toBe(10);

    const entry = await srv.ctx.ledger.findByIdempotencyKey(`market:sale:${listingId}`);
    expect(entry).toMatchObject({ kind: 'trade', id: res.body.listing.saleEntryId });
    expect(entry!.legs).toHaveLength(3);
    expect((await owned(srv, buyer)).active.map((p) => p.id)).toContain(purchaseId);
    expect((await owned(srv, seller)).active.map((p) => p.id)).not.toContain(purchaseId);
    expect((await equip(srv, buyer, { avatar_frame: 'custom_avatar_frame' })).status).toBe(200);
    expect((await equip(srv, seller, { avatar_frame: 'custom_avatar_frame' })).body.error.code).toBe('COSMETIC_NOT_OWNED');

    // A retry answers the first sale and charges nothing; anyone else finds it sold.
    const retry = await buyListing(srv, buyer, listingId, { requestId: 'buy-once', pin: '0000' });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicate: true, fee: 10, sellerReceived: 190, listing: { id: listingId } });
    const late = await giftUser(srv, 'mLate', { admin, balance: 1000 });
    expect((await buyListing(srv, late, listingId)).body.error.code).toBe('LISTING_NOT_AVAILABLE');
    expect((await balances(srv, [seller, buyer])).users).toEqual(after.users);

    // Bought on the market: never refundable; the buyer may sell it on.
    const r = await refund(srv, buyer, purchaseId);
    expect(r.body.error).toMatchObject({ code: 'REFUND_NOT_ALLOWED', details: { rule: 'TRADED' } });
    expect((await equip(srv, buyer, { avatar_frame: null })).status).toBe(200);
    expect((await listItem(srv, buyer, purchaseId, 250)).status).toBe(201);

    const history = await as(srv, late).get('/api/market/items/custom_avatar_frame/history');
    expect(history.status).toBe(200);
    expect(history.body.lastSale).toMatchObject({ listingId, price: 200 });
    expect(history.body.sales[0]).toEqual(history.body.lastSale);
    expect((await as(srv, late).get('/api/market/items/NOT-AN-ITEM/history')).body.error.code).toBe('VALIDATION_FAILED');
    await expectCleanAudit(srv);
  });

  it('refuses before any write: own listing, wrong PIN, too poor, closed listing, unknown listing', async () => {
    const { seller, buyer, purchaseId } = await pair(50);
    const listingId = await listed(srv, seller, purchaseId, 200);
    const before = await balances(srv, [seller, buyer]);
    const own = await buyListing(srv, seller, listingId);
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('CANNOT_BUY_OWN_LISTING');
    expect((await buyListing(srv, buyer, listingId, { pin: '9999' })).body.error.code).toBe('PIN_INVALID');
    const poor = await buyListing(srv, buyer, listingId);
    expect(poor.status).toBe(409);
    expect(poor.body.error).toMatchObject({ code: 'INSUFFICIENT_BALANCE', details: { balance: 50, cost: 200 } });
    expect((await buyListing(srv, buyer, 'NO-SUCH-LISTING')).body.error.code).toBe('LISTING_NOT_FOUND');
    expect((await buyListing(srv, buyer, listingId, { pin: '12' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await balances(srv, [seller, buyer]))).toEqual(before);
    // Nothing held the listing: it is still open and unclaimed.
    expect(await srv.ctx.market.get(listingId)).toMatchObject({ status: 'open' });
    expect((await srv.ctx.stores.users.findById(buyer.id))).not.toBeNull();
    expect((await cancelListing(srv, seller, listingId)).status).toBe(200);
    expect((await buyListing(srv, buyer, listingId)).body.error).toMatchObject({ code: 'LISTING_NOT_AVAILABLE', details: { status: 'cancelled' } });
    await expectCleanAudit(srv);
  });

  it('two buyers racing for one listing: exactly one wins and pays; the other is refused and not charged', async () => {
    for (let trial = 0; trial < 4; trial += 1) {
      const { seller, buyer, purchaseId } = await pair(1000);
      const rival = await giftUser(srv, 'mRival', { admin, balance: 1000 });
      const listingId = await listed(srv, seller, purchaseId, 100);
      const before = await balances(srv, [seller, buyer, rival]);
      const results = await Promise.all([buyListing(srv, buyer, listingId), buyListing(srv, rival, listingId)]);
      const won = results.filter((r) => r.status === 201);
      const lost = results.filter((r) => r.status !== 201);
      expect(won, JSON.stringify(results.map((r) => r.body))).toHaveLength(1);
      expect(lost[0]!.body.error.code).toBe('LISTING_NOT_AVAILABLE');
      const winner = won[0]!.body.listing.buyerId as string;
      const after = await balances(srv, [seller, buyer, rival]);
      expect(after.users[0]! - before.users[0]!).toBe(95);
      expect(after.users[1]! - before.users[1]!).toBe(winner === buyer.id ? -100 : 0);
      expect(after.users[2]! - before.users[2]!).toBe(winner === rival.id ? -100 : 0);
      expect((await srv.ctx.purchases.findById(purchaseId))?.userId).toBe(winner);
    }
    await expectCleanAudit(srv);
  }, 60_000);
});

describe('cancelling and expiry', () => {
  it('the seller or an admin cancels; others may not; watchers hear it', async () => {
    const { seller, buyer, purchaseId } = await pair();
    const listingId = await listed(srv, seller, purchaseId, 90);
    const forbidden = await cancelListing(srv, buyer, listingId);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    const watcher = await pool.open(srv, buyer);
    await emitAck(watcher, 'market:watch', { watch: true });
    const closed = waitFor(watcher, 'market:closed', (e) => e.listing.id === listingId);
    const res = await cancelListing(srv, seller, listingId);
    expect(res.status).toBe(200);
    expect(res.body.listing).toMatchObject({ id: listingId, status: 'cancelled' });
    expect(await closed).toMatchObject({ reason: 'cancelled' });
    expect((await cancelListing(srv, seller, listingId)).body.error.code).toBe('LISTING_NOT_AVAILABLE');
    expect((await cancelListing(srv, seller, 'NO-SUCH')).body.error.code).toBe('LISTING_NOT_FOUND');

    const again = await listed(srv, seller, purchaseId, 95);
    const byAdmin = await cancelListing(srv, admin, again, 'admin');
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.listing.status).toBe('cancelled');
    expect(await emitAck(watcher, 'market:watch', { watch: false })).toEqual({ ok: true, data: { watching: false } });
    const bad = await emitAck(watcher, 'market:watch', { watch: 'yes' } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('a listing expires after market.listingTtlHours: not shown, not sold, the item returns; the sweep closes it', async () => {
    const { seller, buyer, purchaseId } = await pair();
    const listingId = await listed(srv, seller, purchaseId, 80);
    const watcher = await pool.open(srv, seller);
    await emitAck(watcher, 'market:watch', { watch: true });
    clock.advance(72 * 3_600_000);
    const shown = await as(srv, buyer).get('/api/market/listings?itemId=custom_avatar_frame&limit=100');
    expect(shown.body.items.map((l: { id: string }) => l.id)).not.toContain(listingId);
    expect((await as(srv, buyer).get(`/api/market/listings/${listingId}`)).body.listing.status).toBe('expired');
    expect((await buyListing(srv, buyer, listingId)).body.error).toMatchObject({ code: 'LISTING_NOT_AVAILABLE', details: { status: 'expired' } });
    expect((await equip(srv, seller, { avatar_frame: 'custom_avatar_frame' })).status).toBe(200);
    expect((await equip(srv, seller, { avatar_frame: null })).status).toBe(200);

    const expired = waitFor(watcher, 'market:closed', (e) => e.listing.id === listingId);
    expect(await srv.ctx.market.sweep()).toBeGreaterThanOrEqual(1);
    expect(await expired).toMatchObject({ reason: 'expired', listing: { status: 'expired' } });
    expect((await srv.ctx.market.get(listingId)).status).toBe('expired');
    expect((await listItem(srv, seller, purchaseId, 85)).status).toBe(201);
  });
});

describe('a sale that crashed half-way', () => {
  it('posted without its move (an entry written before the move joined the posting transaction): completed from its entry once the claim is stale', async () => {
    const { seller, buyer, purchaseId } = await pair(1000);
    const listingId = await listed(srv, seller, purchaseId, 100);
    const listing = (await srv.ctx.market['deps'].store.findById(listingId))!;
    // The buyer's claim and a ledger entry without its transfer, as the earlier version posted it
    // before settling in a second transaction; then the process "died" before settling.
    expect(await srv.ctx.market['deps'].store.claim(listingId, { buyerId: buyer.id, requestId: 'crashed', until: new Date(clock.now().getTime() + CLAIM_TTL_MS) }, clock.now())).not.toBeNull();
    const { transfer: _transfer, ...oldStyle } = saleDraft(listing, buyer.id, 'crashed', 5, true);
    expect((await srv.ctx.ledger.post(oldStyle)).status).toBe('posted');
    // While the claim is live nobody else may buy or cancel.
    const rival = await giftUser(srv, 'mRival2', { admin, balance: 1000 });
    expect((await buyListing(srv, rival, listingId)).body.error.code).toBe('LISTING_NOT_AVAILABLE');
    expect((await cancelListing(srv, seller, listingId)).body.error.code).toBe('LISTING_NOT_AVAILABLE');
    clock.advance(CLAIM_TTL_MS);
    expect(await srv.ctx.market.get(listingId)).toMatchObject({ status: 'sold', buyerId: buyer.id });
    expect((await srv.ctx.purchases.findById(purchaseId))?.userId).toBe(buyer.id);
    // The buyer's retry answers the sale.
    expect((await buyListing(srv, buyer, listingId, { requestId: 'crashed' })).body).toMatchObject({ duplicate: true, fee: 5 });
    await expectCleanAudit(srv);
  });

  it('claimed but never posted: the sweep drops the stale claim and the listing is for sale again', async () => {
    const { seller, buyer, purchaseId } = await pair(1000);
    const listingId = await listed(srv, seller, purchaseId, 100);
    await srv.ctx.market['deps'].store.claim(listingId, { buyerId: 'ghost', requestId: 'ghost', until: new Date(clock.now().getTime() + CLAIM_TTL_MS) }, clock.now());
    clock.advance(CLAIM_TTL_MS);
    await srv.ctx.market.sweep();
    expect((await srv.ctx.market['deps'].store.findById(listingId))?.claim).toBeNull();
    expect((await buyListing(srv, buyer, listingId)).status).toBe(201);
    await expectCleanAudit(srv);
  });
});

describe('a refund that slipped past escrow', () => {
  it('a listing whose purchase was refunded meanwhile is not sold: LISTING_NOT_AVAILABLE, nothing charged, no claim left', async () => {
    const { seller, buyer, purchaseId } = await pair(1000);
    const listingId = await listed(srv, seller, purchaseId, 100);
    // The refund that checked escrow just before the listing existed (a race), straight on the store.
    expect(await srv.ctx.purchases.beginRefund(purchaseId, { at: clock.now(), amount: 0, requireUnused: false })).toBe(true);
    const before = await balances(srv, [seller, buyer]);
    const res = await buyListing(srv, buyer, listingId);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'LISTING_NOT_AVAILABLE', details: { status: 'item_gone' } });
    expect(await balances(srv, [seller, buyer])).toEqual(before);
    expect((await srv.ctx.market['deps'].store.findById(listingId))?.claim).toBeNull();
    expect(await srv.ctx.ledger.findByIdempotencyKey(`market:sale:${listingId}`)).toBeNull();
  });

  it('a refund that begins after the buyer’s claim: the posting transaction refuses the sale, nothing charged or moved', async () => {
    const { seller, buyer, purchaseId } = await pair(1000);
    const listingId = await listed(srv, seller, purchaseId, 100);
    // The refund lands between the claim and the ledger post: only the posting transaction can tell.
    const store = srv.ctx.market['deps'].store;
    const claim = store.claim;
    store.claim = async (...args) => {
      const claimed = await claim.apply(store, args);
      expect(await srv.ctx.purchases.beginRefund(purchaseId, { at: clock.now(), amount: 0, requireUnused: false })).toBe(true);
      return claimed;
    };
    const before = await balances(srv, [seller, buyer]);
    try {
      const res = await buyListing(srv, buyer, listingId);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'LISTING_NOT_AVAILABLE', details: { status: 'item_gone' } });
    } finally {
      store.claim = claim;
    }
    expect(await balances(srv, [seller, buyer])).toEqual(before);
    expect(await srv.ctx.ledger.findByIdempotencyKey(`market:sale:${listingId}`)).toBeNull();
    expect(await srv.ctx.market['deps'].store.findById(listingId)).toMatchObject({ status: 'open', claim: null });
    expect((await srv.ctx.purchases.findById(purchaseId))?.userId).toBe(seller.id);
    await expectCleanAudit(srv);
  });

  it('a refund whose entry posted before the sale (its record not written yet) takes the one exit: the sale is refused before any charge', async () => {
    const { seller, buyer, purchaseId } = await pair(1000);
    const listingId = await listed(srv, seller, purchaseId, 100);
    // The refund's ledger entry, as the shop posts it, with the purchase record still untouched:
    // every check of the sale passes, only the ledger can tell.
    const refundDraft = refundEntry(seller.id, 1, { idempotencyKey: `test:refund:${purchaseId}`, activity: 'shop:test', actorId: seller.id });
    expect((await srv.ctx.ledger.post({ ...refundDraft, claims: [firstExitClaim(purchaseId)] })).status).toBe('posted');
    const before = await balances(srv, [seller, buyer]);
    const res = await buyListing(srv, buyer, listingId);
    expect(res.body.error).toMatchObject({ code: 'LISTING_NOT_AVAILABLE', details: { status: 'item_gone' } });
    expect(await balances(srv, [seller, buyer])).toEqual(before);
    expect(await srv.ctx.ledger.findByIdempotencyKey(`market:sale:${listingId}`)).toBeNull();
    expect((await srv.ctx.market['deps'].store.findById(listingId))?.claim).toBeNull();
    await expectCleanAudit(srv);
  });

  it('a first sale that posted takes the exit: a refund entry of the purchase is refused with nothing written', async () => {
    const { seller, buyer, purchaseId } = await pair(1000);
    const listingId = await listed(srv, seller, purchaseId, 100);
    expect((await buyListing(srv, buyer, listingId)).status).toBe(201);
    const refundDraft = refundEntry(seller.id, 1, { idempotencyKey: `test:refund:${purchaseId}`, activity: 'shop:test', actorId: seller.id });
    await expect(srv.ctx.ledger.post({ ...refundDraft, claims: [firstExitClaim(purchaseId)] })).rejects.toBeInstanceOf(ClaimRefusedError);
    expect(await srv.ctx.ledger.findByIdempotencyKey(`test:refund:${purchaseId}`)).toBeNull();
    await expectCleanAudit(srv);
  });
});

describe('wash trading', () => {
  let linked: TestServer;
  beforeAll(async () => {
    // The multiple-accounts rule on: every test account registers from 127.0.0.1, so all are linked.
    linked = await startTestServer({ env: { ECONOMY_OVERRIDES_FILE: overridesFile({ antiAbuse: { multipleAccounts: { accountsPerIpDaily: 1000 } } }) } });
  });
  afterAll(async () => {
    await linked.stop();
  });

  it('refuses a trade between linked accounts, charging nothing', async () => {
    const boss = await makeAdmin(linked);
    const seller = await giftUser(linked, 'wSeller', { admin: boss, balance: 500 });
    const buyer = await giftUser(linked, 'wBuyer', { admin: boss, balance: 500 });
    const purchaseId = await bought(linked, seller, 'custom_chat_color');
    const listingId = await listed(linked, seller, purchaseId, 100);
    const res = await buyListing(linked, buyer, listingId, { requestId: rid('wash') });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('LINKED_ACCOUNTS_TRADE');
    expect((await balances(linked, [buyer])).users).toEqual([500]);
    await expectCleanAudit(linked);
  });
});
