import type { EconomyConfigHolder } from '../economy/config/holder.js';
import type { EconomyConfig, TierBenefits, TierId } from '../economy/config/schema.js';
import { tierOfAccount } from '../earning/tiers.js';
import { AppError } from '../lib/app-error.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { AccountState } from '../ledger/ports.js';
import type { RoomStore } from '../stores/ports.js';
import type { TierInfo, TierSource } from '../users/summaries.js';
import type { ShopPerks } from '../shop/perks.js';
import { raiseTier } from '../shop/effects.js';

const MB = 1024 * 1024;
const GB = 1024 * MB;

export interface TierDeps {
  ledger: Pick<LedgerService, 'account' | 'accounts'>;
  economy: EconomyConfigHolder;
  /** Active tier_upgrade purchases raise the tier one step each (docs/shop.md). */
  perks?: Pick<ShopPerks, 'tierSteps'>;
}

/**
 * The user's effective tier now: the tier of their ledger account under the active config,
 * raised by active tier_upgrade purchases (platinum stays platinum). Benefits follow it.
 */
export async function tierOf(deps: TierDeps, userId: string): Promise<{ tier: TierId; benefits: TierBenefits }> {
  const config = deps.economy.current;
  const [account, steps] = await Promise.all([deps.ledger.account(userId), deps.perks?.tierSteps([userId])]);
  const tier = raiseTier(tierOfAccount(account, config), steps?.get(userId) ?? 0);
  return { tier, benefits: config.tiers.benefits[tier] };
}

/** Effective tiers for author and member summaries: one batched ledger read (and one purchases read) per lookup. */
export function ledgerTierSource(deps: TierDeps): TierSource {
  return async (userIds) => {
    const config = deps.economy.current;
    const [accounts, steps] = await Promise.all([deps.ledger.accounts(userIds), deps.perks?.tierSteps(userIds)]);
    const out = new Map<string, TierInfo>();
    for (const id of userIds) out.set(id, tierInfoOf(accounts[id] ?? { balance: 0, totalEarned: 0 }, steps?.get(id) ?? 0, config));
    return out;
  };
}

/**
 * The summaries' tier and badge of an account raised by `steps` tier_upgrade steps: the rule of
 * `ledgerTierSource`, for a caller that already holds the account and the steps (a gift, issue 16).
 */
export function tierInfoOf(account: Pick<AccountState, 'balance' | 'totalEarned'>, steps: number, config: EconomyConfig): TierInfo {
  const tier = raiseTier(tierOfAccount(account, config), steps);
  return { tier, badge: config.tiers.benefits[tier].badge };
}

/**
 * file_size_mb and storage_gb of the user's tier, in bytes, for the upload limits, plus what
 * active shop purchases add (increase_file_size_50mb, extra_5gb_storage) while they last.
 */
export function tierUploadLimits(deps: TierDeps & { perks?: ShopPerks }): (userId: string) => Promise<{ fileBytesMax: number; quotaBytes: number | null }> {
  return async (userId) => {
    const [{ benefits }, perks] = await Promise.all([tierOf(deps, userId), deps.perks?.active(userId)]);
    const fileSizeMb = benefits.fileSizeMb + (perks?.fileSizeExtraMb ?? 0);
    const storageGb = benefits.storageGb + (perks?.storageExtraGb ?? 0);
    // Whole bytes: the config allows fractions of a MB / GB.
    return { fileBytesMax: Math.floor(fileSizeMb * MB), quotaBytes: Math.floor(storageGb * GB) };
  };
}

/**
 * The room-creation policy of the tiers: rooms_max counts the rooms the user owns now (null =
 * unlimited), and a private room needs the privateRooms feature. Checked before the room exists.
 * Shop purchases extend both: an active unlimited_rooms lifts rooms_max, and a private-room
 * credit (private_room_create) is used up by creating one private room without the feature. The
 * refusals keep their order (no private rooms, then rooms_max); the credit is taken last, so a
 * refusal for another reason never uses it.
 */
export function tierRoomPolicy(deps: TierDeps & { rooms: Pick<RoomStore, 'countOwnedBy'>; perks?: ShopPerks }): (userId: string, visibility: 'public' | 'private') => Promise<void> {
  return async (userId, visibility) => {
    const { tier, benefits } = await tierOf(deps, userId);
    const needsCredit = visibility === 'private' && !benefits.features.privateRooms;
    const perks = await deps.perks?.active(userId);
    if (needsCredit && !perks?.privateRoomCredits) throw new AppError('PRIVATE_ROOMS_NOT_ALLOWED', undefined, { tier });
    if (benefits.roomsMax !== null && !perks?.unlimitedRooms) {
      const owned = await deps.rooms.countOwnedBy(userId);
      if (owned >= benefits.roomsMax) throw new AppError('ROOM_LIMIT_REACHED', undefined, { tier, roomsMax: benefits.roomsMax, owned });
    }
    if (needsCredit && !(await deps.perks?.usePrivateRoomCredit(userId))) {
      throw new AppError('PRIVATE_ROOMS_NOT_ALLOWED', undefined, { tier });
    }
  };
}
