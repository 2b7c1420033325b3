import type { EconomyConfig, ShopItem } from '../economy/config/schema.js';
import type { Clock } from '../lib/clock.js';
import { effectOf, ItemEffects } from './effects.js';

/** How long a node trusts its table without hearing of a change: the backstop for a notice lost while Redis was away. */
export const EFFECTS_MAX_AGE_MS = 30_000;

export interface EffectsCacheDeps {
  /** The whole catalogue as the store has it now (ShopCatalogue.items). */
  load: () => Promise<ShopItem[]>;
  economy: { readonly current: EconomyConfig };
  clock: Clock;
  maxAgeMs?: number;
}

interface Entry {
  effects: ItemEffects;
  /** The config the table was built with: a reload replaces the object, which ends the entry. */
  config: EconomyConfig;
  loadedAt: number;
  /** Ids that stayed without an effect after a reload made for them (a removed item): not reloaded for again. */
  unresolved: Set<string>;
}

/**
 * One node's copy of the catalogue's effects table (issue 16: purchase reads on the message path
 * without a store read). Safe to keep because an effect never changes once set (PATCH refuses it)
 * and an item without one is never sold: a stale table can only lack an item that is new, or just
 * got its first effect, never be wrong about one it has. So it is reloaded when it may lack one:
 * after `invalidate` (a change on this node, or another node's notice), after an economy config
 * reload (config items are the defaults), after EFFECTS_MAX_AGE_MS, and when a caller meets a
 * purchase or item the table has no effect for (`effectsFor`, `seen`).
 */
export class EffectsCache {
  private entry: Entry | null = null;
  private loading: Promise<Entry> | null = null;
  // A load started before an invalidation may have read the store before the change: it answers
  // the callers that were waiting for it, but is not kept.
  private generation = 0;

  constructor(private readonly deps: EffectsCacheDeps) {}

  /** The table, for reads that ask by effect kind (`idsOf`). */
  async effects(): Promise<ItemEffects> {
    return (await this.fresh()).effects;
  }

  /**
   * The table, sure to resolve these item ids (those of purchases just read) if the catalogue has
   * them: a purchase exists only after its item had an effect, so an id the table has no effect
   * for means the table predates the item, and one reload started now fixes that. An id still
   * without an effect afterwards (a purchase of an item since removed) is remembered for this
   * table, so it does not cost a reload per read.
   */
  async effectsFor(itemIds: Iterable<string>): Promise<ItemEffects> {
    const entry = await this.fresh();
    const unknown = [...new Set(itemIds)].filter((id) => entry.effects.of(id) === null && !entry.unresolved.has(id));
    if (unknown.length === 0) return entry.effects;
    this.invalidate();
    const next = await this.fresh();
    for (const id of unknown) if (next.effects.of(id) === null) next.unresolved.add(id);
    return next.effects;
  }

  /** An item just read from the store: when it has an effect the table lacks, the table is dropped. */
  seen(item: Pick<ShopItem, 'id' | 'effect'>): void {
    if (this.entry && effectOf(item) !== null && this.entry.effects.of(item.id) === null) this.invalidate();
  }

  /** Drops the table (and any load in flight): the next read loads it from the store. */
  invalidate(): void {
    this.generation += 1;
    this.entry = null;
    this.loading = null;
  }

  private async fresh(): Promise<Entry> {
    const e = this.entry;
    const age = this.deps.clock.now().getTime() - (e?.loadedAt ?? 0);
    // A clock set back counts as old too, so no table outlives the bound.
    if (e && e.config === this.deps.economy.current && age >= 0 && age < (this.deps.maxAgeMs ?? EFFECTS_MAX_AGE_MS)) return e;
    return this.load();
  }

  /** One load at a time: concurrent misses share it. */
  private load(): Promise<Entry> {
    if (this.loading) return this.loading;
    const generation = this.generation;
    const config = this.deps.economy.current;
    const loadedAt = this.deps.clock.now().getTime();
    const loading = this.deps.load().then((items) => {
      const entry: Entry = { effects: new ItemEffects(items), config, loadedAt, unresolved: new Set() };
      if (this.generation === generation) this.entry = entry;
      return entry;
    });
    const settled = (): void => {
      if (this.loading === loading) this.loading = null;
    };
    loading.then(settled, settled);
    this.loading = loading;
    return loading;
  }
}
