import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractBackends } from '../support/backends.js';
import { startStoreRacer, type StoreRacer } from '../support/store-racer.js';
import type { Backend } from '../../server/stores/backend.js';
import { createPurchaseStore } from '../../server/stores/purchases.js';
import { createMarketStore } from '../../server/stores/market.js';
import { createLedgerStore } from '../../server/stores/ledger.js';
import { createEntryCompanions } from '../../server/stores/entry-companions.js';
import type { PurchaseStore } from '../../server/shop/ports.js';
import type { ListingRecord, MarketStore } from '../../server/market/ports.js';
import { SINK, type JournalEntry, type LedgerFaults, type LedgerStore } from '../../server/ledger/ports.js';
import { earnEntry, type DraftInput } from '../../server/ledger/entries.js';
import { saleDraft, saleKey } from '../../server/market/rules.js';
import { newId } from '../../server/lib/ids.js';

/**
 * A market sale through the ledger (issue 13, docs/market.md): the `trade` entry's transfer moves
 * the purchase to the buyer and closes the listing inside the posting transaction, on SQLite and,
 * when a replica set is reachable, MongoDB. Either the charge, the fee, the item move and the
 * listing close all commit, or none does; the audit is clean after every scenario.
 */
const backends = await contractBackends('market-sale');

const T0 = Date.parse('2026-01-05T12:00:00.000Z');
const at = (s: number): Date => new Date(T0 + s * 1000);
let clock = 0;
const stamp = (d: DraftInput): JournalEntry => ({ ...d, id: newId(), createdAt: at(++clock) });

describe.each(backends)('a market sale posted through the ledger on $name', (factory) => {
  let backend: Backend;
  let purchases: PurchaseStore;
  let market: MarketStore;
  let ledger: LedgerStore;

  /** A ledger over the same backend with the market's companions and, for a fault test, `faults`. */
  const ledgerWith = async (faults?: LedgerFaults) => createLedgerStore(backend, { companions: await createEntryCompanions(backend), ...(faults ? { faults } : {}) });

  beforeEach(async () => {
    backend = await factory.open();
    purchases = await createPurchaseStore(backend);
    market = await createMarketStore(backend);
    ledger = await ledgerWith();
  });
  const racers: StoreRacer[] = [];
  afterEach(async () => {
    await Promise.all(racers.splice(0).map((r) => r.close()));
    await factory.dispose(backend);
  });

  /** A seller's listed purchase (price 100) claimed by a funded buyer's request `r`. */
  async function claimedListing(buyerFunds = 500): Promise<ListingRecord> {
    const purchaseId = newId();
    await purchases.record({ id: purchaseId, userId: 'seller', itemId: 'custom_avatar_frame', category: 'appearance', cost: 100, entryId: purchaseId, roomId: null, messageId: null, createdAt: at(0), expiresAt: null });
    const created = await market.create({ id: newId(), sellerId: 'seller', requestId: newId(), purchaseId, itemId: 'custom_avatar_frame', price: 100, createdAt: at(0), expiresAt: at(3600) }, at(0));
    const [funded] = await ledger.post([stamp(earnEntry('buyer', buyerFunds, { idempotencyKey: `fund:${newId()}`, activity: 'test' }))]);
    expect(funded?.status).toBe('posted');
    return (await market.claim(created.listing.id, { buyerId: 'buyer', requestId: 'r', until: at(60) }, at(1)))!;
  }

  /** Nothing of the sale was written: no entry, the buyer's tokens, the seller's item, the listing open under its claim. */
  async function expectNothingOfTheSale(listing: ListingRecord, buyerBalance: number): Promise<void> {
    expect(await ledger.findByIdempotencyKey(saleKey(listing.id))).toBeNull();
    expect((await ledger.account('buyer')).balance).toBe(buyerBalance);
    expect((await ledger.account('seller')).balance).toBe(0);
    expect((await purchases.findById(listing.purchaseId))?.userId).toBe('seller');
    expect(await market.findById(listing.id)).toMatchObject({ status: 'open', buyerId: null, saleEntryId: null });
    expect(await market.everSold(listing.purchaseId)).toBe(false);
    expect((await ledger.audit()).ok).toBe(true);
  }

  it('posts the charge, the fee, the item move and the listing close in one transaction', async () => {
    const listing = await claimedListing();
    const entry = stamp(saleDraft(listing, 'buyer', 'r', 5, true));
    const [outcome] = await ledger.post([entry]);
    expect(outcome).toMatchObject({ status: 'posted', entry: { id: entry.id } });
    // The transfer is not part of the journal.
    expect(outcome?.status === 'posted' && 'transfer' in outcome.entry).toBe(false);
    expect(await market.findById(listing.id)).toMatchObject({ status: 'sold', buyerId: 'buyer', saleEntryId: entry.id, closedAt: entry.createdAt, claim: null });
    expect((await purchases.findById(listing.purchaseId))?.userId).toBe('buyer');
    expect(await ledger.accounts(['buyer', 'seller'])).toMatchObject({ buyer: { balance: 400, totalSpent: 100 }, seller: { balance: 95, totalReceived: 95 } });
    expect(await ledger.netFlows([SINK])).toEqual({ [SINK]: 5 });
    // Posted again (a retry): the first entry, nothing moves twice.
    const [again] = await ledger.post([stamp(saleDraft(listing, 'buyer', 'r', 5, true))]);
    expect(again).toMatchObject({ status: 'duplicate', entry: { id: entry.id } });
    expect((await ledger.account('buyer')).balance).toBe(400);
    expect((await ledger.audit()).ok).toBe(true);
  });

  it('refuses the entry with nothing charged when the item left the seller meanwhile; the rest of the batch posts', async () => {
    const listing = await claimedListing();
    // A refund that began after the buyer's checks, before the post.
    expect(await purchases.beginRefund(listing.purchaseId, { at: at(2), amount: 0, requireUnused: false })).toBe(true);
    const other = stamp(earnEntry('bystander', 3, { idempotencyKey: `earn:${newId()}`, activity: 'test' }));
    const outcomes = await ledger.post([stamp(saleDraft(listing, 'buyer', 'r', 5, true)), other]);
    expect(outcomes.map((o) => o.status)).toEqual(['transfer_refused', 'posted']);
    expect(outcomes[0]).toEqual({ status: 'transfer_refused', kind: 'market_sale', reason: 'item_gone' });
    expect((await ledger.account('bystander')).balance).toBe(3);
    // The sale's first-exit claim was not taken either: the refund may still post its own.
    expect(await ledger.claimCounts([`purchase:${listing.purchaseId}:first-exit`])).toEqual({ [`purchase:${listing.purchaseId}:first-exit`]: 0 });
    expect((await purchases.findById(listing.purchaseId))?.refundedAt).not.toBeNull();
    expect(await ledger.findByIdempotencyKey(saleKey(listing.id))).toBeNull();
    expect((await ledger.account('buyer')).balance).toBe(500);
    expect(await market.findById(listing.id)).toMatchObject({ status: 'open', saleEntryId: null });
    expect((await ledger.audit()).ok).toBe(true);
  });

  it('refuses a buyer whose claim was lost (claim_lost) or whose listing closed (listing_closed)', async () => {
    const listing = await claimedListing();
    // The claim went stale and another buyer took it over.
    expect(await market.claim(listing.id, { buyerId: 'rival', requestId: 'r2', until: at(200) }, at(60))).not.toBeNull();
    expect(await ledger.post([stamp(saleDraft(listing, 'buyer', 'r', 5, true))])).toEqual([{ status: 'transfer_refused', kind: 'market_sale', reason: 'claim_lost' }]);
    await market.release(listing.id, 'r2');
    expect(await market.cancel(listing.id, at(61))).not.toBeNull();
    expect(await ledger.post([stamp(saleDraft(listing, 'buyer', 'r', 5, true))])).toEqual([{ status: 'transfer_refused', kind: 'market_sale', reason: 'listing_closed' }]);
    expect(await ledger.findByIdempotencyKey(saleKey(listing.id))).toBeNull();
    expect((await ledger.account('buyer')).balance).toBe(500);
    expect((await purchases.findById(listing.purchaseId))?.userId).toBe('seller');
    expect((await ledger.audit()).ok).toBe(true);
  });

  it('a buyer who cannot pay is insufficient_funds and moves nothing', async () => {
    const listing = await claimedListing(99);
    expect((await ledger.post([stamp(saleDraft(listing, 'buyer', 'r', 5, true))]))[0]).toMatchObject({ status: 'insufficient_funds', needed: 100 });
    await expectNothingOfTheSale(listing, 99);
    expect((await market.findById(listing.id))?.claim).toMatchObject({ requestId: 'r' });
  });

  it('a failure after the companion write rolls back the charge and the move together', async () => {
    const listing = await claimedListing();
    let broke = 0;
    const faulty = await ledgerWith({
      afterTransfers: () => {
        broke++;
        throw new Error('injected: crash after the item moved, before the commit');
      },
    });
    await expect(faulty.post([stamp(saleDraft(listing, 'buyer', 'r', 5, true))])).rejects.toThrow(/injected/);
    expect(broke).toBe(1);
    await expectNothingOfTheSale(listing, 500);
    expect((await market.findById(listing.id))?.claim).toMatchObject({ buyerId: 'buyer', requestId: 'r' });
    expect(await ledger.claimCounts([`purchase:${listing.purchaseId}:first-exit`])).toEqual({ [`purchase:${listing.purchaseId}:first-exit`]: 0 });
    // The same sale posts whole once the fault is gone.
    expect((await ledger.post([stamp(saleDraft(listing, 'buyer', 'r', 5, true))]))[0]?.status).toBe('posted');
    expect((await purchases.findById(listing.purchaseId))?.userId).toBe('buyer');
    expect((await ledger.audit()).ok).toBe(true);
  });

  it('a ledger built without companions refuses a transfer as a wiring bug, writing nothing', async () => {
    const listing = await claimedListing();
    const bare = await createLedgerStore(backend);
    await expect(bare.post([stamp(saleDraft(listing, 'buyer', 'r', 5, true))])).rejects.toThrow(/without entry companions/);
    await expectNothingOfTheSale(listing, 500);
  });

  it('sales raced against refunds from two other processes: each item is either sold and moved, or refunded and not charged', async () => {
    // One process posts the sales, another begins the refunds: the same distance to the data, so
    // either may come first for any listing.
    const sellers = await startStoreRacer(factory.racerTarget(backend));
    const refunders = await startStoreRacer(factory.racerTarget(backend));
    racers.push(sellers, refunders);
    const racer = sellers.store<LedgerStore>('ledger');
    const refunds = refunders.store<PurchaseStore>('purchases');
    // Both stores built before the race, so neither side starts late by loading its modules.
    await Promise.all([racer.account('nobody'), refunds.findById('nothing')]);
    const listings: ListingRecord[] = [];
    for (let i = 0; i < 12; i++) listings.push(await claimedListing(100));
    const results = await Promise.all(
      listings.map(async (l) => {
        const [outcomes] = await Promise.all([racer.post([stamp(saleDraft(l, 'buyer', 'r', 5, true))]), refunds.beginRefund(l.purchaseId, { at: at(2), amount: 0, requireUnused: false })]);
        return outcomes[0]!;
      }),
    );
    for (const [i, l] of listings.entries()) {
      const purchase = (await purchases.findById(l.purchaseId))!;
      const listing = (await market.findById(l.id))!;
      const entry = await ledger.findByIdempotencyKey(saleKey(l.id));
      if (results[i]!.status === 'posted') {
        expect(purchase.userId).toBe('buyer');
        expect(listing).toMatchObject({ status: 'sold', saleEntryId: entry!.id });
      } else {
        expect(results[i]).toEqual({ status: 'transfer_refused', kind: 'market_sale', reason: 'item_gone' });
        expect(purchase).toMatchObject({ userId: 'seller', refundedAt: at(2) });
        expect(listing.status).toBe('open');
        expect(entry).toBeNull();
      }
    }
    const sold = results.filter((r) => r.status === 'posted').length;
    expect((await ledger.account('seller')).balance).toBe(95 * sold);
    expect((await ledger.audit()).ok).toBe(true);
  });
});
