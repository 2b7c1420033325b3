import type { UserSummary } from '../../shared/events.js';
import type { LedgerQueries, RankField, RankedAccount } from '../ledger/ports.js';
import type { UserRecord, UserStore } from '../stores/ports.js';
import type { UserSummaryResolver } from '../users/summaries.js';

/** What the leaderboard ranks by: lifetime earned (public) or current balance (admins only). */
export type LeaderboardBy = 'earned' | 'balance';

const FIELD: Record<LeaderboardBy, RankField> = { earned: 'totalEarned', balance: 'balance' };

/**
 * Bound on the ranking pages read to fill one leaderboard: banned and deleted accounts are left
 * out after reading, so a page can come back short; past this many pages the board is shorter
 * rather than the read unbounded.
 */
export const LEADERBOARD_SCAN_PAGES_MAX = 5;

export interface LeaderboardRow {
  /** Competition ranking: equal values share a rank, the next rank skips (1, 2, 2, 4). */
  rank: number;
  user: UserSummary;
  /** Lifetime earned for `earned`, balance for `balance`. */
  value: number;
}

export interface Leaderboard {
  by: LeaderboardBy;
  items: LeaderboardRow[];
}

export interface LeaderboardDeps {
  ledger: Pick<LedgerQueries, 'topAccounts'>;
  users: Pick<UserStore, 'findManyByIds'>;
  userSummaries: Pick<UserSummaryResolver, 'fromRecords'>;
}

/**
 * The top `limit` users by `by`, highest first, ties by account id. Only users with a value
 * above zero; banned users and accounts whose user no longer exists are left out.
 */
export async function tokenLeaderboard(deps: LeaderboardDeps, by: LeaderboardBy, limit: number): Promise<Leaderboard> {
  const field = FIELD[by];
  const kept: RankedAccount[] = [];
  const records = new Map<string, UserRecord>();
  for (let pageNo = 0, offset = 0; pageNo < LEADERBOARD_SCAN_PAGES_MAX && kept.length < limit; pageNo++) {
    const page = await deps.ledger.topAccounts({ by: field, limit, offset });
    offset += page.length;
    const users = await deps.users.findManyByIds(page.map((r) => r.userId));
    for (const u of users) if (!u.bannedAt) records.set(u.id, u);
    for (const row of page) if (records.has(row.userId) && kept.length < limit) kept.push(row);
    if (page.length < limit) break;
  }
  const summaries = await deps.userSummaries.fromRecords(kept.map((r) => records.get(r.userId)!));
  const items: LeaderboardRow[] = [];
  for (const [i, row] of kept.entries()) {
    const value = row.account[field];
    const previous = items[i - 1];
    const rank = previous && previous.value === value ? previous.rank : i + 1;
    items.push({ rank, user: summaries.get(row.userId)!, value });
  }
  return { by, items };
}
