import type { DecayPolicy } from '../economy/config/schema.js';
import { decayAmount, isInactive } from '../economy/rules/abuse.js';
import { isoWeekKey } from '../economy/rules/periods.js';
import { spendEntry } from '../ledger/entries.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { JournalEntry, PostOutcome } from '../ledger/ports.js';
import type { UserStore } from '../stores/ports.js';
import type { FundedAccount } from './decay-candidates.js';

/** Accounts read per page, and journal entries scanned per user for the last own activity. */
export const DECAY_PAGE_SIZE = 500;
export const DECAY_HISTORY_SCAN_MAX = 200;

/** The decay entry's key: one per user per ISO week, so re-running the job in a week does nothing. */
export const decayKey = (userId: string, week: string): string => `decay:${userId}:${week}`;

export interface DecayReport {
  enabled: boolean;
  week: string;
  examined: number;
  decayed: Array<{ userId: string; amount: number; lastActiveAt: string }>;
  /** Already decayed this ISO week (a re-run). */
  alreadyDone: number;
}

export interface DecayDeps {
  policy: DecayPolicy;
  ledger: LedgerService;
  users: Pick<UserStore, 'findById'>;
  /** Pages of funded user accounts (server/abuse/decay-candidates.ts). */
  accounts(after: string, limit: number): Promise<FundedAccount[]>;
  now: Date;
  /**
   * Called with each posted decay entry. Inside a server process this is the balance notifier, so
   * connected users get `tokens:balance` / `tier:changed`; the CLI has no sockets and passes none.
   */
  onPosted?: (outcome: PostOutcome) => void;
}

/** What the user did themself: earning, or a gift or purchase they made. Decay and penalties are not activity. */
const ownActivity = (userId: string, e: JournalEntry): boolean =>
  e.kind === 'earn' || ((e.kind === 'gift' || e.kind === 'spend') && e.actorId === userId);

async function lastActiveAt(deps: DecayDeps, userId: string): Promise<Date | null> {
  let before: string | undefined;
  for (let scanned = 0; scanned < DECAY_HISTORY_SCAN_MAX; ) {
    const page = await deps.ledger.history(userId, { limit: 50, ...(before ? { before } : {}) });
    const hit = page.items.find((e) => ownActivity(userId, e));
    if (hit) return hit.createdAt;
    scanned += page.items.length;
    if (!page.nextCursor) break;
    before = page.nextCursor;
  }
  return (await deps.users.findById(userId))?.createdAt ?? null;
}

/**
 * Optional inflation control (seed: "Token decay for inactive users"): each user whose last own
 * activity is older than `inactiveDays` loses `percentPerWeek` of the balance (rounded down) to
 * the sink, once per ISO week. Disabled by default; run weekly by `npm run economy:decay`, or by
 * `POST /api/admin/economy/decay` inside a server, which also pushes the new balances.
 */
export async function runDecay(deps: DecayDeps): Promise<DecayReport> {
  const week = isoWeekKey(deps.now);
  const report: DecayReport = { enabled: deps.policy.enabled, week, examined: 0, decayed: [], alreadyDone: 0 };
  if (!deps.policy.enabled) return report;
  let after = '';
  for (;;) {
    const page = await deps.accounts(after, DECAY_PAGE_SIZE);
    for (const { userId, balance } of page) {
      report.examined += 1;
      const last = await lastActiveAt(deps, userId);
      if (!last || !isInactive(last.getTime(), deps.now.getTime(), deps.policy)) continue;
      const amount = decayAmount(balance, deps.policy);
      if (amount === 0) continue;
      const outcome = await deps.ledger.post(
        spendEntry(userId, amount, { idempotencyKey: decayKey(userId, week), activity: 'decay', actorId: null, metadata: { week, percentPerWeek: deps.policy.percentPerWeek, lastActiveAt: last.toISOString() } }, 'decay'),
      );
      if (outcome.status === 'posted') {
        report.decayed.push({ userId, amount, lastActiveAt: last.toISOString() });
        deps.onPosted?.(outcome);
      }
      else if (outcome.status === 'duplicate') report.alreadyDone += 1;
      // insufficient_funds: the balance fell since it was read; the user is decayed next week.
    }
    if (page.length < DECAY_PAGE_SIZE) break;
    after = page[page.length - 1]!.userId;
  }
  return report;
}
