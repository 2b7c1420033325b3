import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { loadEconomyConfig } from '../../server/economy/config/index.js';
import type { EconomyConfig, ShopItem } from '../../server/economy/config/schema.js';
import { ManualClock } from '../../server/lib/clock.js';
import { ShopCatalogue } from '../../server/shop/catalogue.js';
import { catalogueChangeNotices, type CatalogueChanges } from '../../server/shop/catalogue-changes.js';
import type { AppServer } from '../../server/realtime/types.js';
import type { CatalogueRecord, ShopCatalogueStore } from '../../server/shop/catalogue-ports.js';
import { EFFECTS_MAX_AGE_MS } from '../../server/shop/effects-cache.js';

/**
 * Issue 16: the catalogue's effects table is cached per node, without a store read per purchase
 * read, and reloaded exactly when it may lack an item: a change here, another node's notice, an
 * economy reload, a purchase or item it has no effect for, or its age. `lists` counts store reads.
 */
class CountingStore implements ShopCatalogueStore {
  readonly rows = new Map<string, CatalogueRecord>();
  lists = 0;
  /** When set, list() waits for it: a load held in flight. */
  gate: Promise<void> | null = null;

  async list(): Promise<CatalogueRecord[]> {
    this.lists += 1;
    const rows = [...this.rows.values()];
    if (this.gate) await this.gate;
    return rows;
  }
  async find(itemId: string): Promise<CatalogueRecord | null> {
    return this.rows.get(itemId) ?? null;
  }
  async insert(record: CatalogueRecord): Promise<boolean> {
    if (this.rows.has(record.item.id)) return false;
    this.rows.set(record.item.id, record);
    return true;
  }
  async put(record: CatalogueRecord): Promise<void> {
    this.rows.set(record.item.id, record);
  }
  /** Another node's admin writing the item (this node hears of it only through a notice, if at all). */
  elsewhere(item: ShopItem): void {
    this.rows.set(item.id, { item, updatedAt: new Date(0), updatedBy: 'other-node' });
  }
}

const GLOBE: ShopItem = { id: 'snow_globe', name: 'Snow globe', category: 'cosmetic', cost: 15, duration: { kind: 'permanent' }, effect: { kind: 'cosmetic', slot: 'emoji' } };
const BOOST: ShopItem = { id: 'boost_week', name: 'Boost', category: 'premium', cost: 20, duration: { kind: 'timed', hours: 168 }, effect: { kind: 'tierUpgrade' } };

function node(store: CountingStore, o: { clock?: ManualClock; economy?: { current: EconomyConfig }; changes?: CatalogueChanges } = {}) {
  const announced: string[] = [];
  const catalogue = new ShopCatalogue({
    store,
    audit: { append: async () => ({ status: 'inserted' }), list: async () => ({ items: [], nextCursor: null }) },
    economy: o.economy ?? { current: loadEconomyConfig() },
    ledger: { claimCounts: async () => ({}) },
    broadcast: { emit: () => undefined },
    clock: o.clock ?? new ManualClock(),
    newId: () => `id-${Math.random()}`,
    changes: o.changes ?? { announce: (id) => announced.push(id) },
  });
  return { catalogue, announced };
}

describe('the per-node effects cache', () => {
  it('answers from memory: repeated and concurrent reads, and purchases of known items, read the store once', async () => {
    const store = new CountingStore();
    store.elsewhere(GLOBE);
    const { catalogue } = node(store);
    const tables = await Promise.all([catalogue.effects(), catalogue.effects(), catalogue.effectsFor(['snow_globe'])]);
    expect(store.lists).toBe(1);
    for (let i = 0; i < 5; i += 1) await catalogue.effectsFor(['snow_globe', 'custom_chat_color']);
    expect(store.lists).toBe(1);
    expect(tables[0]!.of('snow_globe')).toEqual({ kind: 'cosmetic', slot: 'emoji' });
    expect((await catalogue.effects()).of('custom_chat_color')).toEqual({ kind: 'cosmetic', slot: 'chat_color' });
  });

  it('a POST or PATCH on this node drops the table at once and tells the other nodes', async () => {
    const store = new CountingStore();
    const { catalogue, announced } = node(store);
    expect((await catalogue.effects()).of('boost_week')).toBeNull();
    await catalogue.create('admin', BOOST);
    expect((await catalogue.effects()).idsOf('tierUpgrade')).toContain('boost_week');
    // An item without an effect, then given one by PATCH: the cached table learns it at once.
    await catalogue.create('admin', { id: GLOBE.id, name: GLOBE.name, category: GLOBE.category, cost: GLOBE.cost, duration: GLOBE.duration });
    expect((await catalogue.effects()).of('snow_globe')).toBeNull();
    await catalogue.update('admin', 'snow_globe', { effect: GLOBE.effect });
    expect((await catalogue.effects()).idsOf('cosmetic')).toContain('snow_globe');
    expect(announced).toEqual(['boost_week', 'snow_globe', 'snow_globe']);
    expect(store.lists).toBe(4);
  });

  it("another node's notice drops this node's table", async () => {
    const store = new CountingStore();
    const nodes: ShopCatalogue[] = [];
    const bus: CatalogueChanges = { announce: () => nodes.forEach((n) => n.forgetEffects()) };
    const a = node(store, { changes: bus }).catalogue;
    const b = node(store, { changes: bus }).catalogue;
    nodes.push(b);
    expect((await b.effects()).idsOf('tierUpgrade')).not.toContain('boost_week');
    await a.create('admin', BOOST);
    expect((await b.effects()).idsOf('tierUpgrade')).toContain('boost_week');
  });

  it('without a notice, a purchase of an item the table lacks reloads it once; an id no catalogue has does not reload again', async () => {
    const store = new CountingStore();
    const { catalogue } = node(store);
    expect((await catalogue.effects()).of('boost_week')).toBeNull();
    store.elsewhere(BOOST);
    // Reads by kind still answer the stale table (the notice or the age bound ends it)...
    expect((await catalogue.effects()).idsOf('tierUpgrade')).not.toContain('boost_week');
    expect(store.lists).toBe(1);
    // ...but a purchase of it, met while resolving purchases, reloads.
    expect((await catalogue.effectsFor(['custom_chat_color', 'boost_week'])).of('boost_week')).toEqual({ kind: 'tierUpgrade' });
    expect(store.lists).toBe(2);
    expect((await catalogue.effects()).idsOf('tierUpgrade')).toContain('boost_week');

    // A purchase of an item since removed (no effect anywhere): one reload, then remembered.
    expect((await catalogue.effectsFor(['removed_item'])).of('removed_item')).toBeNull();
    expect((await catalogue.effectsFor(['removed_item'])).of('removed_item')).toBeNull();
    expect(store.lists).toBe(3);
  });

  it('an item read from the store with an effect the table lacks (a sale on this node) drops the table', async () => {
    const store = new CountingStore();
    const { catalogue } = node(store);
    await catalogue.effects();
    store.elsewhere(BOOST);
    await catalogue.find('custom_chat_color');
    expect(store.lists).toBe(1);
    expect(await catalogue.find('boost_week')).toMatchObject({ id: 'boost_week' });
    expect((await catalogue.effects()).idsOf('tierUpgrade')).toContain('boost_week');
    expect(store.lists).toBe(2);
  });

  it('is reloaded after EFFECTS_MAX_AGE_MS (a notice lost while Redis was down), and when the clock goes back', async () => {
    const store = new CountingStore();
    const clock = new ManualClock();
    const { catalogue } = node(store, { clock });
    await catalogue.effects();
    store.elsewhere(BOOST);
    clock.advance(EFFECTS_MAX_AGE_MS - 1);
    expect((await catalogue.effects()).of('boost_week')).toBeNull();
    clock.advance(1);
    expect((await catalogue.effects()).of('boost_week')).toEqual({ kind: 'tierUpgrade' });
    expect(store.lists).toBe(2);
    clock.advance(-1);
    await catalogue.effects();
    expect(store.lists).toBe(3);
  });

  it('an economy config reload (the default items) drops the table', async () => {
    const store = new CountingStore();
    const base = loadEconomyConfig();
    const economy = { current: base };
    const { catalogue } = node(store, { economy });
    expect((await catalogue.effects()).of('snow_globe')).toBeNull();
    economy.current = { ...base, shop: [...base.shop, GLOBE] };
    expect((await catalogue.effects()).of('snow_globe')).toEqual({ kind: 'cosmetic', slot: 'emoji' });
    expect(store.lists).toBe(2);
  });

  it('a load in flight when the catalogue changes answers its callers but is not kept', async () => {
    const store = new CountingStore();
    const { catalogue } = node(store);
    let release!: () => void;
    store.gate = new Promise((resolve) => (release = resolve));
    const early = catalogue.effects();
    // The store was read (without the item) before the change lands and the notice drops the table.
    await Promise.resolve();
    expect(store.lists).toBe(1);
    store.elsewhere(BOOST);
    catalogue.forgetEffects();
    store.gate = null;
    release();
    expect((await early).of('boost_week')).toBeNull();
    expect((await catalogue.effects()).of('boost_week')).toEqual({ kind: 'tierUpgrade' });
    expect(store.lists).toBe(2);
  });
});

describe('catalogueChangeNotices', () => {
  const notices = (redisStatus: string | null) => {
    const emitted: unknown[][] = [];
    const io = { serverSideEmit: (...args: unknown[]) => emitted.push(args) } as unknown as AppServer;
    const redis = redisStatus === null ? null : ({ status: redisStatus } as unknown as Redis);
    return { changes: catalogueChangeNotices({ io, redis, logger: pino({ level: 'silent' }) }), emitted };
  };

  it('tells the other nodes when Redis is ready; nobody without Redis or while it is away (no publish that would reject unhandled)', () => {
    const ready = notices('ready');
    ready.changes.announce('boost_week');
    expect(ready.emitted).toEqual([['shop:catalogue-changed', { itemId: 'boost_week' }]]);
    for (const status of [null, 'reconnecting', 'end']) {
      const { changes, emitted } = notices(status);
      changes.announce('boost_week');
      expect(emitted).toEqual([]);
    }
  });
});
