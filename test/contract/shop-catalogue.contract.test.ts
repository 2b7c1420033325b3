import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractBackends } from '../support/backends.js';
import type { Backend } from '../../server/stores/backend.js';
import { createShopCatalogueStore } from '../../server/stores/shop-catalogue.js';
import type { ShopCatalogueStore } from '../../server/shop/catalogue-ports.js';
import type { ShopItem } from '../../server/economy/config/schema.js';

/** Issue 13 (h13a): the admin catalogue store on SQLite and, when a replica set is reachable, MongoDB. */
const backends = await contractBackends('shop-catalogue');

const at = new Date('2026-12-01T10:00:00.000Z');
const gem: ShopItem = { id: 'gem', name: 'Gem', category: 'cosmetic', cost: 10, duration: { kind: 'permanent' }, stock: 5, perUserLimit: 1, availableFrom: '2026-12-01T00:00:00.000Z', availableUntil: '2026-12-24T00:00:00.000Z' };

describe.each(backends)('shop catalogue store on $name', (factory) => {
  let backend: Backend;
  let store: ShopCatalogueStore;
  beforeEach(async () => {
    backend = await factory.open();
    store = await createShopCatalogueStore(backend);
  });
  afterEach(async () => {
    await factory.dispose(backend);
  });

  it('inserts once per id, round-trips every field, lists by id', async () => {
    expect(await store.find('gem')).toBeNull();
    expect(await store.list()).toEqual([]);
    expect(await store.insert({ item: gem, updatedAt: at, updatedBy: 'admin-1' })).toBe(true);
    expect(await store.insert({ item: { ...gem, cost: 99 }, updatedAt: at, updatedBy: 'admin-2' })).toBe(false);
    expect(await store.find('gem')).toEqual({ item: gem, updatedAt: at, updatedBy: 'admin-1' });
    // The declared effect (a nested object) round-trips too: it decides what the item does on every node.
    const timed: ShopItem = { id: 'boost', name: 'Boost', category: 'room', cost: 3, duration: { kind: 'timed', hours: 2 }, effect: { kind: 'roomBoost' } };
    expect(await store.insert({ item: timed, updatedAt: at, updatedBy: 'admin-1' })).toBe(true);
    expect((await store.list()).map((r) => r.item.id)).toEqual(['boost', 'gem']);
    expect((await store.find('boost'))?.item.effect).toEqual({ kind: 'roomBoost' });
    const badge: ShopItem = { ...gem, id: 'winter_badge', effect: { kind: 'cosmetic', slot: 'badge' } };
    await store.insert({ item: badge, updatedAt: at, updatedBy: 'admin-1' });
    expect((await store.list()).find((r) => r.item.id === 'winter_badge')?.item).toEqual(badge);
  });

  it('put replaces a stored item whole (a removed field is gone) and creates a missing one', async () => {
    await store.insert({ item: gem, updatedAt: at, updatedBy: 'admin-1' });
    const later = new Date(at.getTime() + 60_000);
    const { stock: _stock, ...withoutStock } = gem;
    await store.put({ item: { ...withoutStock, cost: 12 }, updatedAt: later, updatedBy: 'admin-2' });
    expect(await store.find('gem')).toEqual({ item: { ...withoutStock, cost: 12 }, updatedAt: later, updatedBy: 'admin-2' });
    const seedOverride: ShopItem = { id: 'chat_color', name: 'Chat color', category: 'cosmetic', cost: 80, duration: { kind: 'permanent' }, stock: 100 };
    await store.put({ item: seedOverride, updatedAt: later, updatedBy: 'admin-2' });
    expect((await store.find('chat_color'))?.item).toEqual(seedOverride);
  });
});
