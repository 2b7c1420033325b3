import type { PenaltyRecord } from '../abuse/ports.js';
import { PAGE_LIMIT_MAX } from '../stores/page.js';
import type { AdminAuditRecord, AdminAuditStore } from './ports.js';

/**
 * When each penalty was lifted, from the audit log: a `penalty_lift` names its penalty; a
 * `ban_lift` lifts every account_ban recorded before it. Pure, so the rule is tested alone.
 */
export function liftsOf(penalties: readonly PenaltyRecord[], log: readonly AdminAuditRecord[]): Map<string, Date> {
  const lifted = new Map<string, Date>();
  const oldestFirst = [...log].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const rec of oldestFirst) {
    for (const p of penalties) {
      if (lifted.has(p.id)) continue;
      const named = rec.action === 'penalty_lift' && rec.subjectId === p.id;
      const banLifted = rec.action === 'ban_lift' && p.action === 'account_ban' && p.createdAt.getTime() <= rec.createdAt.getTime();
      if (named || banLifted) lifted.set(p.id, rec.createdAt);
    }
  }
  return lifted;
}

/**
 * The audit records that can lift a user's penalties (newest PAGE_LIMIT_MAX of the user: a user
 * has at most PENALTIES_PER_USER_MAX penalties, and lifts are rarer still).
 */
export async function userLog(audit: AdminAuditStore, userId: string): Promise<AdminAuditRecord[]> {
  return (await audit.list({ targetUserId: userId, limit: PAGE_LIMIT_MAX })).items;
}

/** For `createAbuse`'s `liftedAt`: the lift-aware penalty list the award gate and the ladder read. */
export const liftedAtFrom =
  (audit: AdminAuditStore) =>
  async (userId: string, penalties: readonly PenaltyRecord[]): Promise<ReadonlyMap<string, Date>> =>
    liftsOf(penalties, (await userLog(audit, userId)).filter((r) => r.action !== 'adjustment'));
