import type { TierName, UserSummary } from '../../shared/events.js';
import type { UserRecord, UserStore } from '../stores/ports.js';
import { DELETED_USER_NAME, isDeletedUsername } from '../stores/usernames.js';

/** A user's tier and its badge, as the economy computes them. */
export interface TierInfo {
  tier: TierName;
  badge: string;
}

/** Where tiers come from: the ledger's balances and the economy's tiers (server/engagement/tier-benefits.ts). */
export type TierSource = (userIds: readonly string[]) => Promise<Map<string, TierInfo>>;

/** What a profile adds to a summary (issue 10): only the fields the user has set. */
export type ProfileSummary = Pick<UserSummary, 'displayName' | 'avatarUrl' | 'equipped'>;

/** Where profile fields come from (server/users/profile-summaries.ts). */
export type ProfileSource = (userIds: readonly string[]) => Promise<Map<string, ProfileSummary>>;

/**
 * Builds the `UserSummary` shown next to members and message authors. One batched lookup per
 * call, so a page of history costs one user query and one tier query.
 */
export interface UserSummaryResolver {
  /** Summaries for the given ids; ids with no account are left out of the map. */
  many(userIds: readonly string[]): Promise<Map<string, UserSummary>>;
  /** One summary, or null for an unknown id. */
  one(userId: string): Promise<UserSummary | null>;
  /** Summaries for records already loaded (saves the user query). */
  fromRecords(users: readonly UserRecord[]): Promise<Map<string, UserSummary>>;
  /**
   * Summaries for records already loaded whose tiers the caller already has (saves the user query
   * and the tier source's reads): a gift knows both parties' accounts from its post and their
   * tier steps from its allowance check (issue 16). `tiers` must come from the same rule as the
   * tier source (server/engagement/tier-benefits.ts `tierInfoOf`); a user missing from it gets no tier.
   */
  withTiers(users: readonly UserRecord[], tiers: ReadonlyMap<string, TierInfo>): Promise<Map<string, UserSummary>>;
}

/** What a summary adds to the account: the tier and badge, and the profile's fields. */
export interface SummarySources {
  tiers: TierSource;
  profiles: ProfileSource;
}

export function createUserSummaryResolver(users: UserStore, sources: SummarySources): UserSummaryResolver {
  const { tiers: tierSource, profiles: profileSource } = sources;

  const fromRecords = async (records: readonly UserRecord[]): Promise<Map<string, UserSummary>> => {
    const ids = records.map((u) => u.id);
    const [tiers, profiles] = await Promise.all([
      records.length > 0 ? tierSource(ids) : new Map<string, TierInfo>(),
      records.length > 0 ? profileSource(ids) : new Map<string, ProfileSummary>(),
    ]);
    return build(records, tiers, profiles);
  };

  const withTiers = async (records: readonly UserRecord[], tiers: ReadonlyMap<string, TierInfo>): Promise<Map<string, UserSummary>> => {
    const profiles = records.length > 0 ? await profileSource(records.map((u) => u.id)) : new Map<string, ProfileSummary>();
    return build(records, tiers, profiles);
  };

  const build = (records: readonly UserRecord[], tiers: ReadonlyMap<string, TierInfo>, profiles: ReadonlyMap<string, ProfileSummary>): Map<string, UserSummary> => {
    const out = new Map<string, UserSummary>();
    for (const u of records) {
      // A deleted account shows as such, with nothing of what it was (issue 10, h10a).
      if (isDeletedUsername(u.username)) {
        out.set(u.id, { id: u.id, username: DELETED_USER_NAME });
        continue;
      }
      const tier = tiers.get(u.id);
      const base: UserSummary = tier ? { id: u.id, username: u.username, tier: tier.tier, badge: tier.badge } : { id: u.id, username: u.username };
      out.set(u.id, { ...base, ...profiles.get(u.id) });
    }
    return out;
  };

  const many = async (userIds: readonly string[]): Promise<Map<string, UserSummary>> => {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return new Map();
    return fromRecords(await users.findManyByIds(unique));
  };

  return {
    many,
    fromRecords,
    withTiers,
    async one(userId) {
      return (await many([userId])).get(userId) ?? null;
    },
  };
}

/** The summary of an id that is known to exist, or a bare one if the account vanished meanwhile. */
export function summaryOf(map: Map<string, UserSummary>, userId: string): UserSummary {
  return map.get(userId) ?? { id: userId, username: '(deleted)' };
}
