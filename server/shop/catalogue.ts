import { z } from 'zod';
import type { ShopItemView, ShopStockEvent } from '../../shared/shop.js';
import type { AdminAction, AdminAuditStore } from '../admin/ports.js';
import { shopItemSchema, type EconomyConfig, type ShopItem } from '../economy/config/schema.js';
import { parseOrThrow } from '../http/validate.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import type { CatalogueChanges } from './catalogue-changes.js';
import type { ShopCatalogueStore } from './catalogue-ports.js';
import { EffectsCache } from './effects-cache.js';
import { effectOf, type ItemEffect, type ItemEffects, type ItemEffectSource } from './effects.js';
import { isLimitedEdition, limitedView, stockKey, stockLeftOf } from './limited-editions.js';
import { itemView } from './views.js';

/**
 * `PATCH /api/admin/shop/items/:id`: any item field but the id; `null` removes an optional field
 * (stock, perUserLimit, availableFrom, availableUntil). The merged item is validated by the economy
 * config's own item schema (shopItemSchema), so a runtime item can be nothing a config could not be.
 */
export const shopItemPatchBody = z
  .record(z.string(), z.unknown())
  .refine((p) => !('id' in p), { message: 'the id cannot change', path: ['id'] })
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });

/** The `shop` topic: sockets that sent `shop:watch` get `shop:stock`. */
export const SHOP_TOPIC = 'shop';

export interface ShopCatalogueDeps {
  store: ShopCatalogueStore;
  /** The admin audit log (server/admin/): every catalogue change is one record. */
  audit: AdminAuditStore;
  economy: { readonly current: EconomyConfig };
  /** Stock sold per limited edition (the ledger's bounded counters). */
  ledger: Pick<LedgerService, 'claimCounts'>;
  broadcast: Pick<Broadcaster, 'emit'>;
  clock: Clock;
  newId: IdGenerator;
  /** Tells the other nodes to drop their cached effects (server/shop/catalogue-changes.ts). */
  changes: CatalogueChanges;
  /** The cached effects table's age bound; EFFECTS_MAX_AGE_MS by default. */
  effectsMaxAgeMs?: number;
}

/**
 * The shop catalogue (issue 13): the economy config's items (the default catalogue), with the
 * items admins added or changed at runtime. Item reads (listing, purchase, refund quote) go through
 * the store (one small query), so a change made on one node is in effect on every node at once.
 * The effects table purchase reads resolve through is cached per node (issue 16; see EffectsCache
 * for why that is safe and when it is reloaded).
 */
export class ShopCatalogue implements ItemEffectSource {
  private readonly effectsCache: EffectsCache;

  constructor(private readonly deps: ShopCatalogueDeps) {
    this.effectsCache = new EffectsCache({
      load: () => this.items(),
      economy: deps.economy,
      clock: deps.clock,
      ...(deps.effectsMaxAgeMs !== undefined ? { maxAgeMs: deps.effectsMaxAgeMs } : {}),
    });
  }

  /** The whole catalogue: defaults in config order (stored versions replacing them), then added items by id. */
  async items(): Promise<ShopItem[]> {
    const stored = new Map((await this.deps.store.list()).map((r) => [r.item.id, r.item]));
    const defaults = this.deps.economy.current.shop.map((i) => stored.get(i.id) ?? i);
    const defaultIds = new Set(defaults.map((i) => i.id));
    return [...defaults, ...[...stored.values()].filter((i) => !defaultIds.has(i.id))];
  }

  /** The effects of the whole catalogue (declared, else built in by id), from this node's cache: for reads by effect kind. */
  effects(): Promise<ItemEffects> {
    return this.effectsCache.effects();
  }

  /** The same table, reloaded first if it has no effect for one of these ids (of purchases just read): for resolving purchases. */
  effectsFor(itemIds: Iterable<string>): Promise<ItemEffects> {
    return this.effectsCache.effectsFor(itemIds);
  }

  /** Drops this node's cached effects: another node changed the catalogue (`shop:catalogue-changed`). */
  forgetEffects(): void {
    this.effectsCache.invalidate();
  }

  /** One item, the stored version first; null when neither the store nor the config has it. */
  async find(itemId: string): Promise<ShopItem | null> {
    const item = (await this.deps.store.find(itemId))?.item ?? this.deps.economy.current.shop.find((i) => i.id === itemId) ?? null;
    // A purchase starts here: a new item sold on this node is in this node's table from then on.
    if (item) this.effectsCache.seen(item);
    return item;
  }

  /** Item views with the limited editions' stock left read now (one counter read for all). */
  async views(items: readonly ShopItem[]): Promise<ShopItemView[]> {
    const stocked = items.filter((i) => i.stock !== undefined);
    const sold = stocked.length > 0 ? await this.deps.ledger.claimCounts(stocked.map((i) => stockKey(i.id))) : {};
    const at = this.deps.clock.now();
    return items.map((i) => {
      const limited = limitedView(i, sold[stockKey(i.id)] ?? 0, at);
      return limited ? { ...itemView(i), limited } : itemView(i);
    });
  }

  /** The limited editions as they stand now (what `shop:watch` answers). */
  async limitedViews(): Promise<ShopItemView[]> {
    return this.views((await this.items()).filter(isLimitedEdition));
  }

  /** Tells the shop's watchers the item's stock now (after a sale or an admin change). */
  async announceStock(item: ShopItem): Promise<void> {
    if (item.stock === undefined) return;
    const sold = (await this.deps.ledger.claimCounts([stockKey(item.id)]))[stockKey(item.id)] ?? 0;
    const event: ShopStockEvent = { itemId: item.id, stock: item.stock, stockLeft: stockLeftOf(item.stock, sold) };
    this.deps.broadcast.emit({ topics: [SHOP_TOPIC] }, 'shop:stock', event);
  }

  /** `POST /api/admin/shop/items`: a new item (CATALOGUE_ITEM_EXISTS for an id the catalogue has). */
  async create(adminId: string, body: unknown): Promise<ShopItem> {
    const item = parseOrThrow(shopItemSchema, body);
    const exists = () => new AppError('CATALOGUE_ITEM_EXISTS', undefined, { itemId: item.id });
    if (this.deps.economy.current.shop.some((i) => i.id === item.id)) throw exists();
    // An id of the built-in table (the other preset's items) may have been bought already.
    assertEffectKept(effectOf({ id: item.id }), item);
    const at = this.deps.clock.now();
    if (!(await this.deps.store.insert({ item, updatedAt: at, updatedBy: adminId }))) throw exists();
    this.changed(item.id);
    await this.audit('shop_item_create', adminId, item.id, { item }, at);
    await this.announceStock(item);
    return item;
  }

  /** `PATCH /api/admin/shop/items/:id`: changes fields of an item of the catalogue (ITEM_NOT_FOUND otherwise). */
  async update(adminId: string, itemId: string, body: unknown): Promise<ShopItem> {
    const patch = parseOrThrow(shopItemPatchBody, body);
    const before = await this.find(itemId);
    if (!before) throw new AppError('ITEM_NOT_FOUND', undefined, { itemId });
    const merged: Record<string, unknown> = { ...before };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    const item = parseOrThrow(shopItemSchema, merged);
    assertEffectKept(effectOf(before), item);
    const at = this.deps.clock.now();
    await this.deps.store.put({ item, updatedAt: at, updatedBy: adminId });
    this.changed(item.id);
    await this.audit('shop_item_update', adminId, item.id, { before, after: item }, at);
    if (item.stock !== before.stock) await this.announceStock(item);
    return item;
  }

  /** After a store write: this node's table is dropped at once, the other nodes' on the notice. */
  private changed(itemId: string): void {
    this.effectsCache.invalidate();
    this.deps.changes.announce(itemId);
  }

  private async audit(action: AdminAction, adminId: string, itemId: string, details: Record<string, unknown>, at: Date): Promise<void> {
    const id = this.deps.newId();
    await this.deps.audit.append({ id, action, actorId: adminId, targetUserId: adminId, reason: `shop item ${itemId}`, requestId: id, subjectId: itemId, details, createdAt: at });
  }
}

/**
 * An item's effect is set once (docs/shop.md "Admin catalogue"). Purchases record only the item id
 * and are read through the catalogue's effects, so changing an effect would change, or end, what
 * every earlier purchase does: a bought badge becoming storage, a pin losing its expiry rule, a
 * listed item turning untradeable under its buyer. An item with no effect yet was never sold (no
 * effect, no sale), so it may get one. Anything else is refused before anything is written.
 */
function assertEffectKept(before: ItemEffect | null, item: ShopItem): void {
  const after = effectOf(item);
  const canonical = (e: ItemEffect | null) => JSON.stringify(e && Object.entries(e).sort());
  if (before === null || canonical(after) === canonical(before)) return;
  const message = `the effect of ${item.id} is ${JSON.stringify(before)} and cannot change (add an item with a new id instead)`;
  throw new AppError('VALIDATION_FAILED', `Invalid request: effect: ${message}`, { issues: [{ path: 'effect', message }] });
}
