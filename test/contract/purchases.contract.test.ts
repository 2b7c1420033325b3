import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractBackends } from '../support/backends.js';
import { useStoreRacer } from '../support/store-racer.js';
import type { Backend } from '../../server/stores/backend.js';
import { createPurchaseStore } from '../../server/stores/purchases.js';
import { PURCHASES_LIST_MAX, type NewPurchase, type PurchaseStore } from '../../server/shop/ports.js';
import { newId } from '../../server/lib/ids.js';

/** The purchases store's behaviour on SQLite and, when a replica set is reachable, MongoDB. */
const backends = await contractBackends('purchases');

const T0 = Date.parse('2026-01-05T12:00:00.000Z');
const at = (s: number): Date => new Date(T0 + s * 1000 + 123);

function purchase(userId: string, overrides: Partial<NewPurchase> = {}): NewPurchase {
  const id = newId();
  return { id, userId, itemId: 'custom_avatar_frame', category: 'appearance', cost: 100, entryId: id, roomId: null, messageId: null, createdAt: at(0), expiresAt: null, ...overrides };
}

describe.each(backends)('purchases store on $name', (factory) => {
  let backend: Backend;
  let store: PurchaseStore;

  beforeEach(async () => {
    backend = await factory.open();
    store = await createPurchaseStore(backend);
  });
  afterEach(async () => {
    await factory.dispose(backend);
  });
  // Races run half here, half in a second process on the same data (a second connection on MongoDB).
  const other = useStoreRacer(() => factory.racerTarget(backend));
  const both = async (): Promise<PurchaseStore[]> => [store, await other<PurchaseStore>('purchases')];

  it('records once per id and round-trips every field', async () => {
    const user = newId();
    const p = purchase(user, { itemId: 'extra_5gb_storage', category: 'storage', cost: 75, roomId: 'room-1', messageId: 'msg-1', expiresAt: at(3600) });
    const first = await store.record(p);
    expect(first.created).toBe(true);
    expect(first.purchase).toEqual({ ...p, usedAt: null, refundedAt: null, refundAmount: null, refundEntryId: null });
    const again = await store.record({ ...p, cost: 999 });
    expect(again).toEqual({ purchase: first.purchase, created: false });
    expect(await store.findById(p.id)).toEqual(first.purchase);
    expect(await store.findById(newId())).toBeNull();
  });

  it('concurrent records of one purchase create it once', async () => {
    const p = purchase(newId());
    const stores = await both();
    const results = await Promise.all([0, 1, 2].map((i) => stores[i % 2]!.record(p)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.purchase.id)).size).toBe(1);
  });

  it('lists a user newest first within the limit, and refuses a bad limit', async () => {
    const user = newId();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await store.record(purchase(user, { createdAt: at(i) }))).purchase.id);
    await store.record(purchase(newId()));
    expect((await store.listByUser(user, 10)).map((p) => p.id)).toEqual([...ids].reverse());
    expect((await store.listByUser(user, 2)).map((p) => p.id)).toEqual([ids[2], ids[1]]);
    await expect(store.listByUser(user, 0)).rejects.toThrow(RangeError);
    await expect(store.listByUser(user, PURCHASES_LIST_MAX + 1)).rejects.toThrow(RangeError);
  });

  it('active: not refunded, not used, not expired (a timed item ends exactly at expiresAt)', async () => {
    const user = newId();
    const permanent = (await store.record(purchase(user))).purchase;
    const timed = (await store.record(purchase(user, { itemId: 'unlimited_rooms', expiresAt: at(100) }))).purchase;
    const consumable = (await store.record(purchase(user, { itemId: 'private_room_create' }))).purchase;
    const refunded = (await store.record(purchase(user, { itemId: 'custom_chat_color' }))).purchase;
    expect(await store.beginRefund(refunded.id, { at: at(1), amount: 10, requireUnused: false })).toBe(true);
    const ids = async (t: number) => (await store.listActive(user, at(t))).map((p) => p.id).sort();
    expect(await ids(99)).toEqual([permanent.id, timed.id, consumable.id].sort());
    expect(await ids(100)).toEqual([permanent.id, consumable.id].sort());
    expect(await store.useOne(user, ['private_room_create'], at(5))).toMatchObject({ id: consumable.id, usedAt: at(5) });
    expect(await ids(99)).toEqual([permanent.id, timed.id].sort());
  });

  it('useOne takes the oldest unused, unrefunded credit once, even when raced', async () => {
    const user = newId();
    const a = (await store.record(purchase(user, { itemId: 'private_room_create' }))).purchase;
    const b = (await store.record(purchase(user, { itemId: 'private_room' }))).purchase;
    expect(await store.useOne(user, [], at(1))).toBeNull();
    expect(await store.useOne(user, ['custom_avatar_frame_none'], at(1))).toBeNull();
    const stores = await both();
    const raced = await Promise.all([0, 1, 2].map((i) => stores[i % 2]!.useOne(user, ['private_room_create', 'private_room'], at(2))));
    expect(raced.filter((r) => r !== null).map((r) => r!.id).sort()).toEqual([a.id, b.id].sort());
    expect(raced[0]?.id).toBe(a.id);
    expect(await store.useOne(user, ['private_room_create', 'private_room'], at(3))).toBeNull();
    expect(await store.useOne(newId(), ['private_room_create'], at(3))).toBeNull();
  });

  it('listActiveOf filters by items, users and room, and leaves out used, refunded and expired purchases', async () => {
    const [u1, u2] = [newId(), newId()];
    const pin = (await store.record(purchase(u1, { itemId: 'pin_important_message', roomId: 'R1', messageId: 'M1', expiresAt: at(100) }))).purchase;
    const pin2 = (await store.record(purchase(u2, { itemId: 'pin_important_message', roomId: 'R2', messageId: 'M2', expiresAt: at(100) }))).purchase;
    const boost = (await store.record(purchase(u2, { itemId: 'boost_room_visibility', roomId: 'R1', expiresAt: at(50) }))).purchase;
    const refunded = (await store.record(purchase(u1, { itemId: 'pin_important_message', roomId: 'R1', messageId: 'M3', expiresAt: at(100) }))).purchase;
    expect(await store.beginRefund(refunded.id, { at: at(1), amount: 10, requireUnused: false })).toBe(true);
    const of = async (f: Parameters<PurchaseStore['listActiveOf']>[0], t: number) => (await store.listActiveOf(f, at(t))).map((p) => p.id);
    expect(await of({ itemIds: ['pin_important_message'] }, 10)).toEqual([pin2.id, pin.id]);
    expect(await of({ itemIds: ['pin_important_message'], roomId: 'R1' }, 10)).toEqual([pin.id]);
    expect(await of({ itemIds: ['pin_important_message', 'boost_room_visibility'], userIds: [u2] }, 10)).toEqual([boost.id, pin2.id]);
    expect(await of({ itemIds: ['pin_important_message', 'boost_room_visibility'], userIds: [u2] }, 50)).toEqual([pin2.id]);
    expect(await of({ itemIds: ['pin_important_message', 'boost_room_visibility'], userIds: [u1, u2] }, 10)).toEqual([boost.id, pin2.id, pin.id]);
    // Two users and three take different reads in an adapter (SQLite): the same rows either way.
    expect(await of({ itemIds: ['pin_important_message', 'boost_room_visibility'], userIds: [u1, newId(), u2] }, 10)).toEqual([boost.id, pin2.id, pin.id]);
    expect(await of({ itemIds: ['pin_important_message'], userIds: [u2, u1, u2], roomId: 'R1' }, 10)).toEqual([pin.id]);
    expect(await of({ itemIds: ['pin_important_message'], userIds: [] }, 10)).toEqual([]);
    expect(await of({ itemIds: [] }, 10)).toEqual([]);
    expect((await store.listActiveOf({ itemIds: ['pin_important_message'], roomId: 'R1' }, at(10)))[0]).toMatchObject({ messageId: 'M1' });
  });

  it('useOne with a room uses only a purchase bought for that room', async () => {
    const user = newId();
    const r1 = (await store.record(purchase(user, { itemId: 'room_customization', roomId: 'R1' }))).purchase;
    expect(await store.useOne(user, ['room_customization'], at(1), 'R2')).toBeNull();
    expect(await store.useOne(user, ['room_customization'], at(1), 'R1')).toMatchObject({ id: r1.id, usedAt: at(1) });
    expect(await store.useOne(user, ['room_customization'], at(2), 'R1')).toBeNull();
  });

  it('a refunded credit cannot be used; a used one cannot start an unused-only refund', async () => {
    const user = newId();
    const refunded = (await store.record(purchase(user, { itemId: 'private_room_create' }))).purchase;
    expect(await store.beginRefund(refunded.id, { at: at(1), amount: 45, requireUnused: true })).toBe(true);
    expect(await store.useOne(user, ['private_room_create'], at(2))).toBeNull();
    const used = (await store.record(purchase(user, { itemId: 'private_room_create' }))).purchase;
    expect((await store.useOne(user, ['private_room_create'], at(3)))?.id).toBe(used.id);
    expect(await store.beginRefund(used.id, { at: at(4), amount: 45, requireUnused: true })).toBe(false);
    expect((await store.findById(used.id))?.refundedAt).toBeNull();
  });

  it('refund: begin once (raced), complete records the entry, abort undoes only an unposted refund', async () => {
    const user = newId();
    const p = (await store.record(purchase(user, { itemId: 'unlimited_rooms', expiresAt: at(9999) }))).purchase;
    const stores = await both();
    const raced = await Promise.all([0, 1, 2].map((i) => stores[i % 2]!.beginRefund(p.id, { at: at(10), amount: 200, requireUnused: false })));
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect(await store.findById(p.id)).toMatchObject({ refundedAt: at(10), refundAmount: 200, refundEntryId: null });

    await store.abortRefund(p.id);
    expect(await store.findById(p.id)).toMatchObject({ refundedAt: null, refundAmount: null, refundEntryId: null });

    expect(await store.beginRefund(p.id, { at: at(20), amount: 100, requireUnused: false })).toBe(true);
    await store.completeRefund(p.id, 'entry-1');
    await store.abortRefund(p.id);
    expect(await store.findById(p.id)).toMatchObject({ refundedAt: at(20), refundAmount: 100, refundEntryId: 'entry-1' });
    expect(await store.beginRefund(p.id, { at: at(30), amount: 100, requireUnused: false })).toBe(false);
  });

  it('completeRefund does nothing to a purchase whose refund was not started', async () => {
    const p = (await store.record(purchase(newId()))).purchase;
    await store.completeRefund(p.id, 'entry-x');
    expect((await store.findById(p.id))?.refundEntryId).toBeNull();
  });
});
