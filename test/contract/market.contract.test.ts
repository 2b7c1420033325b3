import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractBackends } from '../support/backends.js';
import { useStoreRacer } from '../support/store-racer.js';
import type { Backend } from '../../server/stores/backend.js';
import { createPurchaseStore } from '../../server/stores/purchases.js';
import type { PurchaseStore } from '../../server/shop/ports.js';
import { createMarketStore } from '../../server/stores/market.js';
import type { MarketStore, NewListing } from '../../server/market/ports.js';
import { newId } from '../../server/lib/ids.js';

/** The listing store's behaviour (issue 13, market) on SQLite and, when a replica set is reachable, MongoDB. */
const backends = await contractBackends('market');

const T0 = Date.parse('2026-01-05T12:00:00.000Z');
const at = (s: number): Date => new Date(T0 + s * 1000);

describe.each(backends)('market store on $name', (factory) => {
  let backend: Backend;
  let store: MarketStore;
  let purchases: PurchaseStore;

  beforeEach(async () => {
    backend = await factory.open();
    purchases = await createPurchaseStore(backend);
    store = await createMarketStore(backend);
  });
  afterEach(async () => {
    await factory.dispose(backend);
  });
  const other = useStoreRacer(() => factory.racerTarget(backend));
  const both = async (): Promise<MarketStore[]> => [store, await other<MarketStore>('market')];

  /** A purchase of `sellerId` in the purchases store, and a listing draft for it. */
  async function owned(sellerId: string, overrides: Partial<NewListing> = {}): Promise<NewListing> {
    const pid = newId();
    await purchases.record({ id: pid, userId: sellerId, itemId: 'custom_avatar_frame', category: 'appearance', cost: 100, entryId: pid, roomId: null, messageId: null, createdAt: at(0), expiresAt: null });
    return { id: newId(), sellerId, requestId: newId(), purchaseId: pid, itemId: 'custom_avatar_frame', price: 100, createdAt: at(0), expiresAt: at(3600), ...overrides };
  }

  it('creates once per requestId, never two open listings of one purchase, and round-trips every field', async () => {
    const draft = await owned('seller');
    const first = await store.create(draft, at(0));
    expect(first).toEqual({
      status: 'created',
      listing: { ...draft, status: 'open', closedAt: null, buyerId: null, saleEntryId: null, claim: null },
    });
    expect(await store.create({ ...draft, id: newId(), price: 5 }, at(1))).toEqual({ status: 'duplicate', listing: first.listing });
    const twice = await store.create({ ...draft, id: newId(), requestId: newId() }, at(1));
    expect(twice).toEqual({ status: 'already_listed', listing: first.listing });
    expect(await store.findById(draft.id)).toEqual(first.listing);
    expect(await store.findById(newId())).toBeNull();
    // Expired: the purchase may be listed anew, and the old listing closes as expired.
    const relisted = await store.create({ ...draft, id: newId(), requestId: newId(), createdAt: at(3600), expiresAt: at(7200) }, at(3600));
    expect(relisted.status).toBe('created');
    expect(await store.findById(draft.id)).toMatchObject({ status: 'expired', closedAt: at(3600) });
  });

  it('concurrent listings of one purchase on two connections: exactly one is created', async () => {
    const draft = await owned('seller');
    const stores = await both();
    const results = await Promise.all([0, 1, 2, 3].map((i) => stores[i % 2]!.create({ ...draft, id: newId(), requestId: newId() }, at(0))));
    expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'already_listed')).toHaveLength(3);
  });

  it('lists open unexpired listings by item, cheapest or newest first, after a cursor; escrow ids', async () => {
    const ids: string[] = [];
    for (const [price, item] of [[30, 'a_item'], [10, 'a_item'], [20, 'a_item'], [5, 'b_item']] as const) {
      const d = await owned('s', { itemId: item, price });
      ids.push(d.id);
      await store.create(d, at(0));
    }
    const expiring = await owned('s', { itemId: 'a_item', price: 1, expiresAt: at(10) });
    await store.create(expiring, at(0));
    const idsOf = (rows: Array<{ id: string }>) => rows.map((r) => r.id);
    expect(idsOf(await store.listOpen({ itemId: 'a_item', sort: 'price', limit: 10 }, at(10)))).toEqual([ids[1], ids[2], ids[0]]);
    expect(idsOf(await store.listOpen({ itemId: 'a_item', sort: 'time', limit: 10 }, at(10)))).toEqual([ids[2], ids[1], ids[0]]);
    expect(idsOf(await store.listOpen({ itemId: 'a_item', sort: 'price', limit: 1 }, at(10)))).toEqual([ids[1], ids[2]]);
    expect(idsOf(await store.listOpen({ itemId: 'a_item', sort: 'price', after: { id: ids[1]!, price: 10 }, limit: 5 }, at(10)))).toEqual([ids[2], ids[0]]);
    expect(idsOf(await store.listOpen({ sort: 'price', limit: 10 }, at(10)))).toEqual([ids[3], ids[1], ids[2], ids[0]]);
    expect(idsOf(await store.listOpen({ sort: 'time', after: { id: ids[2]!, price: 20 }, limit: 10 }, at(10)))).toEqual([ids[1], ids[0]]);
    const listing = (await store.findById(ids[0]!))!;
    expect(await store.openPurchaseIds([listing.purchaseId, expiring.purchaseId, 'nope'], at(5))).toEqual(new Set([listing.purchaseId, expiring.purchaseId]));
    expect(await store.openPurchaseIds([listing.purchaseId, expiring.purchaseId], at(10))).toEqual(new Set([listing.purchaseId]));
  });

  it('one claim at a time (even raced on two connections); a stale claim may be taken over or released', async () => {
    const draft = await owned('seller');
    await store.create(draft, at(0));
    const stores = await both();
    const claims = await Promise.all([0, 1, 2, 3].map((i) => stores[i % 2]!.claim(draft.id, { buyerId: `b${i}`, requestId: `r${i}`, until: at(60) }, at(0))));
    const won = claims.filter((c) => c !== null);
    expect(won).toHaveLength(1);
    const holder = won[0]!.claim!;
    expect(await store.cancel(draft.id, at(1))).toBeNull();
    await store.release(draft.id, 'not-the-holder');
    expect((await store.findById(draft.id))?.claim).toEqual(holder);
    expect(await store.staleClaims(at(59), 10)).toEqual([]);
    expect((await store.staleClaims(at(60), 10)).map((l) => l.id)).toEqual([draft.id]);
    expect(await store.claim(draft.id, { buyerId: 'late', requestId: 'late', until: at(120) }, at(60))).toMatchObject({ claim: { buyerId: 'late' } });
    await store.release(draft.id, 'late');
    expect((await store.findById(draft.id))?.claim).toBeNull();
    expect(await store.claim(draft.id, { buyerId: 'x', requestId: 'x', until: at(4000) }, at(3600))).toBeNull();
  });

  it('settle closes the listing and moves the purchase owner in one step, once', async () => {
    const draft = await owned('seller');
    await store.create(draft, at(0));
    await store.claim(draft.id, { buyerId: 'buyer', requestId: 'r', until: at(60) }, at(1));
    const sold = await store.settle(draft.id, { buyerId: 'buyer', saleEntryId: 'E1', at: at(2) });
    expect(sold).toMatchObject({ status: 'sold', buyerId: 'buyer', saleEntryId: 'E1', closedAt: at(2), claim: null });
    expect((await purchases.findById(draft.purchaseId))?.userId).toBe('buyer');
    expect(await store.settle(draft.id, { buyerId: 'buyer', saleEntryId: 'E1', at: at(3) })).toEqual(sold);
    expect(await store.settle(draft.id, { buyerId: 'other', saleEntryId: 'E2', at: at(3) })).toBeNull();
    expect(await store.everSold(draft.purchaseId)).toBe(true);
    expect((await store.sales('custom_avatar_frame', 10)).map((l) => l.id)).toEqual([draft.id]);
    expect(await store.cancel(draft.id, at(4))).toBeNull();
  });

  it('settle refuses (and writes nothing) when the seller no longer holds the purchase', async () => {
    const draft = await owned('seller');
    await store.create(draft, at(0));
    expect(await purchases.beginRefund(draft.purchaseId, { at: at(1), amount: 10, requireUnused: false })).toBe(true);
    expect(await store.settle(draft.id, { buyerId: 'buyer', saleEntryId: 'E1', at: at(2) })).toBeNull();
    expect(await store.findById(draft.id)).toMatchObject({ status: 'open', buyerId: null });
    expect((await purchases.findById(draft.purchaseId))?.userId).toBe('seller');
    expect(await store.everSold(draft.purchaseId)).toBe(false);
  });

  it('raced settles of one listing on two connections: one sale, one owner change', async () => {
    const draft = await owned('seller');
    await store.create(draft, at(0));
    const stores = await both();
    const results = await Promise.all([
      stores[0]!.settle(draft.id, { buyerId: 'b1', saleEntryId: 'E1', at: at(1) }),
      stores[1]!.settle(draft.id, { buyerId: 'b2', saleEntryId: 'E2', at: at(1) }),
    ]);
    const sold = results.filter((r) => r !== null);
    expect(sold).toHaveLength(1);
    expect((await purchases.findById(draft.purchaseId))?.userId).toBe(sold[0]!.buyerId);
  });

  it('cancel closes an open listing once; expireDue closes the expired ones once', async () => {
    const a = await owned('s');
    const b = await owned('s', { expiresAt: at(10) });
    await store.create(a, at(0));
    await store.create(b, at(0));
    expect(await store.cancel(a.id, at(1))).toMatchObject({ status: 'cancelled', closedAt: at(1) });
    expect(await store.cancel(a.id, at(2))).toBeNull();
    expect(await store.expireDue(at(9), 10)).toEqual([]);
    // A buyer's live claim holds an expired listing until it goes stale (its sale decides first).
    expect(await store.claim(b.id, { buyerId: 'buyer', requestId: 'r', until: at(20) }, at(9))).not.toBeNull();
    expect(await store.expireDue(at(10), 10)).toEqual([]);
    expect((await store.expireDue(at(20), 10)).map((l) => [l.id, l.status, l.claim])).toEqual([[b.id, 'expired', null]]);
    expect(await store.expireDue(at(21), 10)).toEqual([]);
    await expect(store.expireDue(at(21), 0)).rejects.toThrow(RangeError);
  });
});
