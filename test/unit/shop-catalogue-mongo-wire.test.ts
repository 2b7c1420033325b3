import { beforeEach, describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import type { ShopItem } from '../../server/economy/config/schema.js';
import type { ShopCatalogueStore } from '../../server/shop/catalogue-ports.js';
import { createMongoShopCatalogueStore } from '../../server/stores/mongo/shop-catalogue-store.js';
import { useWireHarness } from '../support/fake-mongo.js';

/**
 * The MongoDB admin catalogue store on the wire, against the protocol stand-in (no MongoDB runs
 * here). Pinned: an item's declared effect (issue 13) is written inside the item document and read
 * back whole, since it decides what the item does on every node.
 */
const at = new Date('2026-12-01T10:00:00.000Z');
const badge: ShopItem = { id: 'winter_badge', name: 'Winter badge', category: 'cosmetic', cost: 40, duration: { kind: 'permanent' }, stock: 5, effect: { kind: 'cosmetic', slot: 'badge' } };
const wire = useWireHarness({ findDocs: [{ _id: 'winter_badge', item: badge, updatedAt: at, updatedBy: 'admin-1' }] });
let store: ShopCatalogueStore;

beforeEach(() => {
  store = createMongoShopCatalogueStore(wire.connection, createIndexBuilds());
});

describe('MongoDB shop catalogue store on the wire', () => {
  it('insert and put write the whole item, its effect included; find and list read it back', async () => {
    expect(await store.insert({ item: badge, updatedAt: at, updatedBy: 'admin-1' })).toBe(true);
    expect(wire.sent('insert', 'shop_catalogue')[0]?.['documents']).toEqual([expect.objectContaining({ _id: 'winter_badge', item: badge })]);
    await store.put({ item: { ...badge, cost: 45 }, updatedAt: at, updatedBy: 'admin-2' });
    const update = wire.sent('update', 'shop_catalogue')[0]?.['updates'] as Array<{ q: unknown; u: { item: ShopItem } }>;
    expect(update[0]).toMatchObject({ q: { _id: 'winter_badge' }, u: { item: { effect: { kind: 'cosmetic', slot: 'badge' }, cost: 45 } } });
    expect((await store.find('winter_badge'))?.item).toEqual(badge);
    expect((await store.list()).map((r) => r.item.effect)).toEqual([{ kind: 'cosmetic', slot: 'badge' }]);
  });
});
