import type { CosmeticSlot } from '../../shared/shop.js';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../lib/app-error.js';
import { cosmeticsOf, type ItemEffectSource } from '../shop/effects.js';
import type { PurchaseStore } from '../shop/ports.js';
import type { Page } from '../stores/ports.js';
import { BoundedCache } from '../engagement/bounded-cache.js';
import type { EquippedCosmetics, ProfilePatch, ProfileRecord, ProfileStore } from './profile-ports.js';
import { EMPTY_PROFILE } from './profile-ports.js';
import type { ProfileSummary } from './summaries.js';

/** How long a node keeps a user's profile summary: the message path reads it on every send. */
export const PROFILE_SUMMARY_TTL_MS = 5_000;
/** Users whose profile summary a node keeps at most. */
export const PROFILE_SUMMARY_CACHE_MAX = 10_000;

/** The public URL of an avatar key (served by server/files/avatars.ts). */
export const avatarUrlOf = (avatarKey: string): string => `/api/avatars/${avatarKey}`;

/**
 * Profiles (docs/chat.md "Profiles"): display name, bio, avatar and equipped cosmetics, and what
 * of them travels in every `UserSummary`. Summaries are cached per node for
 * PROFILE_SUMMARY_TTL_MS, so a message costs no profile read; a change is seen at once on the
 * node that made it and within the TTL on the others. An equipped cosmetic shows only while the
 * user's purchase of it is active (not expired, not refunded): checked when the summary is built.
 */
export class ProfileService {
  private readonly cache = new BoundedCache<{ value: ProfileSummary; until: number }>(PROFILE_SUMMARY_CACHE_MAX);

  constructor(
    private readonly deps: {
      store: ProfileStore;
      purchases: PurchaseStore;
      clock: Clock;
      /** The catalogue's item effects: which purchases are cosmetics, for which slot (runtime items included). */
      effects: ItemEffectSource;
      /** Issue 13 (market): which purchases are listed (in escrow, not equippable). Absent: none are. */
      escrow?: { listedPurchaseIds(purchaseIds: readonly string[]): Promise<Set<string>> };
    },
  ) {}

  /** The user's profile (an empty one when they never set anything). */
  async get(userId: string): Promise<ProfileRecord> {
    return (await this.deps.store.many([userId])).get(userId) ?? EMPTY_PROFILE(userId, this.deps.clock.now());
  }

  /** Applies a change; returns the profile after it and the avatar key it replaced. */
  async update(userId: string, patch: ProfilePatch): Promise<{ profile: ProfileRecord; previousAvatarKey: string | null }> {
    const out = await this.deps.store.update(userId, patch, this.deps.clock.now());
    this.cache.delete(userId);
    return out;
  }

  /**
   * Equips (item id) or unequips (null) per slot. Every item must be an active cosmetic purchase
   * of the caller for that very slot, else COSMETIC_NOT_OWNED, and not listed on the market, else
   * ITEM_LISTED; nothing changes then.
   */
  async equip(userId: string, changes: Partial<Record<CosmeticSlot, string | null>>): Promise<EquippedCosmetics> {
    const at = this.deps.clock.now();
    const active = await this.deps.purchases.listActive(userId, at);
    const effects = await this.deps.effects.effectsFor(active.map((p) => p.itemId));
    const owned = new Map(cosmeticsOf(active, at, effects).map((c) => [c.itemId, c.slot]));
    // Issue 13 (market): a cosmetic whose every owned copy is listed is in escrow (ITEM_LISTED).
    const listed = this.deps.escrow ? await this.deps.escrow.listedPurchaseIds(active.map((p) => p.id)) : new Set<string>();
    const unlisted = new Map(cosmeticsOf(active.filter((p) => !listed.has(p.id)), at, effects).map((c) => [c.itemId, c.slot]));
    for (const [slot, itemId] of Object.entries(changes)) {
      if (itemId !== null && owned.get(itemId) !== slot) throw new AppError('COSMETIC_NOT_OWNED', undefined, { slot, itemId });
      if (itemId !== null && unlisted.get(itemId) !== slot) throw new AppError('ITEM_LISTED', undefined, { slot, itemId });
    }
    return (await this.update(userId, { equipped: changes })).profile.equipped;
  }

  /** Equipped cosmetics that are still owned now (an expired or refunded one is left out). */
  async visibleEquipped(profile: ProfileRecord): Promise<EquippedCosmetics> {
    if (Object.keys(profile.equipped).length === 0) return {};
    return keepOwned(profile.equipped, await this.ownedCosmetics(profile.userId));
  }

  /** Newest accounts first whose username or display name starts with `prefix`. */
  searchUserIds(prefix: string, opts: { before?: string; limit: number }): Promise<Page<{ id: string }>> {
    return this.deps.store.searchUserIds(prefix, opts);
  }

  /** Forgets the profile (account deletion); returns its avatar key. */
  async remove(userId: string): Promise<string | null> {
    const key = await this.deps.store.remove(userId);
    this.cache.delete(userId);
    return key;
  }

  /** The summary resolver's profile source (`createUserSummaryResolver`): cached, one batched read per miss. */
  readonly summaries = async (userIds: readonly string[]): Promise<Map<string, ProfileSummary>> => {
    const now = this.deps.clock.now().getTime();
    const out = new Map<string, ProfileSummary>();
    const missing: string[] = [];
    for (const id of new Set(userIds)) {
      const hit = this.cache.get(id);
      if (hit && hit.until > now) out.set(id, hit.value);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    const profiles = await this.deps.store.many(missing);
    const owned = await this.ownedEquipped([...profiles.values()]);
    for (const id of missing) {
      const p = profiles.get(id);
      const value = p ? summaryOf(p, keepOwned(p.equipped, owned.get(id) ?? new Map())) : {};
      this.cache.set(id, { value, until: now + PROFILE_SUMMARY_TTL_MS });
      out.set(id, value);
    }
    return out;
  };

  private async ownedCosmetics(userId: string): Promise<Map<string, CosmeticSlot>> {
    const at = this.deps.clock.now();
    const active = await this.deps.purchases.listActive(userId, at);
    const effects = await this.deps.effects.effectsFor(active.map((p) => p.itemId));
    return new Map(cosmeticsOf(active, at, effects).map((c) => [c.itemId, c.slot]));
  }

  /** item id -> slot of the equipped items each profile's user owns now, from one purchases read for the batch. */
  private async ownedEquipped(profiles: readonly ProfileRecord[]): Promise<Map<string, Map<string, CosmeticSlot>>> {
    const out = new Map<string, Map<string, CosmeticSlot>>();
    const wearing = profiles.filter((p) => Object.keys(p.equipped).length > 0);
    if (wearing.length === 0) return out;
    const at = this.deps.clock.now();
    const itemIds = [...new Set(wearing.flatMap((p) => Object.values(p.equipped)))];
    const purchases = await this.deps.purchases.listActiveOf({ itemIds, userIds: wearing.map((p) => p.userId) }, at);
    const effects = await this.deps.effects.effectsFor(purchases.map((p) => p.itemId));
    for (const p of wearing) {
      out.set(p.userId, new Map(cosmeticsOf(purchases.filter((x) => x.userId === p.userId), at, effects).map((c) => [c.itemId, c.slot])));
    }
    return out;
  }
}

function keepOwned(equipped: EquippedCosmetics, owned: Map<string, CosmeticSlot>): EquippedCosmetics {
  const out: EquippedCosmetics = {};
  for (const [slot, itemId] of Object.entries(equipped) as [CosmeticSlot, string][]) {
    if (owned.get(itemId) === slot) out[slot] = itemId;
  }
  return out;
}

function summaryOf(p: ProfileRecord, cosmetics: EquippedCosmetics): ProfileSummary {
  return {
    ...(p.displayName !== null ? { displayName: p.displayName } : {}),
    ...(p.avatarKey !== null ? { avatarUrl: avatarUrlOf(p.avatarKey) } : {}),
    ...(Object.keys(cosmetics).length > 0 ? { equipped: cosmetics } : {}),
  };
}
