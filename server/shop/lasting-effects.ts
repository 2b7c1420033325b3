import type { EconomyConfig } from '../economy/config/schema.js';
import { tierOfAccount } from '../earning/tiers.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { FileStore, RoomStore } from '../stores/ports.js';
import { perksOf, raiseTier, tierUpgradeSteps, type ItemEffect, type ItemEffects } from './effects.js';
import type { PurchaseRecord, PurchaseStore } from './ports.js';

const MB = 1024 * 1024;
const GB = 1024 * MB;

/** Something a purchase produced that would stay after its refund (issue 9, row 3). */
export type LastingProduct =
  | { produced: 'rooms'; owned: number; roomsMaxWithout: number }
  | { produced: 'file'; largestBytes: number; fileBytesMaxWithout: number }
  | { produced: 'storage'; usedBytes: number; quotaBytesWithout: number };

/** What the user holds now, and the limits they would have without the purchase being refunded. */
export interface UsageAgainstLimits {
  roomsOwned: number;
  roomsMaxWithout: number | null;
  /** Largest file uploaded since the purchase. */
  largestBytesSince: number;
  fileBytesMaxWithout: number;
  usedBytes: number;
  quotaBytesWithout: number;
}

/** Which limits an effect lifts, so which of them its refund must find respected. */
function liftedBy(kind: ItemEffect['kind']): ReadonlyArray<LastingProduct['produced']> {
  if (kind === 'unlimitedRooms') return ['rooms'];
  if (kind === 'fileSizeMb') return ['file'];
  if (kind === 'storageGb') return ['storage'];
  if (kind === 'tierUpgrade') return ['rooms', 'file', 'storage'];
  return [];
}

/**
 * The rule: a purchase that lifted a limit may be refunded only while everything the user holds
 * fits the limits they would have without it. Rooms over the tier's roomsMax, a file over the
 * tier's size uploaded since the purchase, or storage over the tier's quota are lasting products:
 * the refund would leave them behind for nothing. Null when nothing lasting was produced.
 */
export function lastingProduct(kind: ItemEffect['kind'], u: UsageAgainstLimits): LastingProduct | null {
  for (const limit of liftedBy(kind)) {
    if (limit === 'rooms' && u.roomsMaxWithout !== null && u.roomsOwned > u.roomsMaxWithout) return { produced: 'rooms', owned: u.roomsOwned, roomsMaxWithout: u.roomsMaxWithout };
    if (limit === 'file' && u.largestBytesSince > u.fileBytesMaxWithout) return { produced: 'file', largestBytes: u.largestBytesSince, fileBytesMaxWithout: u.fileBytesMaxWithout };
    if (limit === 'storage' && u.usedBytes > u.quotaBytesWithout) return { produced: 'storage', usedBytes: u.usedBytes, quotaBytesWithout: u.quotaBytesWithout };
  }
  return null;
}

export interface LastingDeps {
  purchases: Pick<PurchaseStore, 'listActive'>;
  ledger: Pick<LedgerService, 'account'>;
  rooms: Pick<RoomStore, 'countOwnedBy'>;
  files: Pick<FileStore, 'largestSince' | 'usedBytes'>;
  /** The catalogue's effects: what `p` and the user's other purchases do. */
  effects: ItemEffects;
}

/**
 * Reads what the rule needs for `p` at `at` (only for items that lift a limit): the user's other
 * active purchases give the tier and perks they would keep; rooms owned, the largest file since
 * the purchase and the bytes stored give what they hold.
 */
export async function lastingProductOf(deps: LastingDeps, p: PurchaseRecord, at: Date, config: EconomyConfig): Promise<LastingProduct | null> {
  const kind = deps.effects.of(p.itemId)?.kind;
  if (!kind || liftedBy(kind).length === 0) return null;
  const [others, account, roomsOwned, largestBytesSince, usedBytes] = await Promise.all([
    deps.purchases.listActive(p.userId, at).then((list) => list.filter((x) => x.id !== p.id)),
    deps.ledger.account(p.userId),
    deps.rooms.countOwnedBy(p.userId),
    deps.files.largestSince(p.userId, p.createdAt),
    deps.files.usedBytes(p.userId),
  ]);
  const tier = raiseTier(tierOfAccount(account, config), tierUpgradeSteps(others, at, deps.effects));
  const benefits = config.tiers.benefits[tier];
  const perks = perksOf(others, at, deps.effects);
  return lastingProduct(kind, {
    roomsOwned,
    roomsMaxWithout: perks.unlimitedRooms ? null : benefits.roomsMax,
    largestBytesSince,
    fileBytesMaxWithout: Math.floor((benefits.fileSizeMb + perks.fileSizeExtraMb) * MB),
    usedBytes,
    quotaBytesWithout: Math.floor((benefits.storageGb + perks.storageExtraGb) * GB),
  });
}
