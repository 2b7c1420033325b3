import type { CosmeticSlot } from '../../shared/shop.js';
import type { Page } from '../stores/ports.js';

/**
 * The profiles port (issue 10): what a user shows others beyond their username. Kept apart from
 * the users table/collection (one row/document per user who ever set something), so accounts
 * stay as they are. Two adapters (server/stores/sqlite/profiles-store.ts,
 * server/stores/mongo/profiles-store.ts); test/contract/profiles.contract.test.ts runs one suite
 * on both.
 */

/** Equipped cosmetics: slot -> shop item id (docs/shop.md). */
export type EquippedCosmetics = Partial<Record<CosmeticSlot, string>>;

export interface ProfileRecord {
  userId: string;
  /** null: not set (clients show the username). */
  displayName: string | null;
  bio: string;
  /** Where the avatar's bytes are (server/users/avatars.ts); null: none. */
  avatarKey: string | null;
  equipped: EquippedCosmetics;
  updatedAt: Date;
}

/** A change: absent fields stay; in `equipped`, a slot set to null is unequipped. */
export interface ProfilePatch {
  displayName?: string | null;
  bio?: string;
  avatarKey?: string | null;
  equipped?: Partial<Record<CosmeticSlot, string | null>>;
}

export const EMPTY_PROFILE = (userId: string, at: Date): ProfileRecord => ({ userId, displayName: null, bio: '', avatarKey: null, equipped: {}, updatedAt: at });

export interface ProfileStore {
  /** The profiles of those of `userIds` that have one. */
  many(userIds: readonly string[]): Promise<Map<string, ProfileRecord>>;
  /**
   * Applies `patch` atomically (creating the profile when the user has none) and returns the
   * profile after it, with the avatar key it replaced (so its bytes can be removed).
   */
  update(userId: string, patch: ProfilePatch, at: Date): Promise<{ profile: ProfileRecord; previousAvatarKey: string | null }>;
  /**
   * Ids of users whose username or display name starts with `prefix`, case-insensitively
   * (`prefix` is matched as plain text: no pattern characters), newest account first, paged by
   * user id.
   */
  searchUserIds(prefix: string, opts: { before?: string; limit: number }): Promise<Page<{ id: string }>>;
  /** Removes the profile (account deletion); returns the avatar key it had. */
  remove(userId: string): Promise<string | null>;
}

/** The exclusive upper bound of a case-folded prefix range: every string that starts with `lo` sorts below it. */
export const prefixRangeEnd = (lo: string): string => `${lo}\u{10FFFF}`;

/** How a prefix and a display name are compared: lower case, so the search is case-insensitive. */
export const searchKey = (text: string): string => text.toLowerCase();

/** The profile after `patch`, computed from the one it was applied to (an adapter's read of it). */
export function applyPatch(before: ProfileRecord, patch: ProfilePatch, at: Date): ProfileRecord {
  const equipped: EquippedCosmetics = { ...before.equipped };
  for (const [slot, itemId] of Object.entries(patch.equipped ?? {}) as [keyof EquippedCosmetics, string | null][]) {
    if (itemId === null) delete equipped[slot];
    else equipped[slot] = itemId;
  }
  return {
    userId: before.userId,
    displayName: patch.displayName !== undefined ? patch.displayName : before.displayName,
    bio: patch.bio ?? before.bio,
    avatarKey: patch.avatarKey !== undefined ? patch.avatarKey : before.avatarKey,
    equipped,
    updatedAt: at,
  };
}

