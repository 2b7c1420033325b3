import type { Page } from '../stores/ports.js';

/** What an admin did (docs/operations.md, "Admin tools"). */
export type AdminAction = 'adjustment' | 'penalty_lift' | 'ban_lift' | 'shop_item_create' | 'shop_item_update';
// Issue 13 (h13a): the admin catalogue's changes (target = the admin, subject = the item id).
export const ADMIN_ACTIONS: readonly AdminAction[] = ['adjustment', 'penalty_lift', 'ban_lift', 'shop_item_create', 'shop_item_update'];

/**
 * One line of the append-only admin audit log. Records are never updated or deleted; the admin's
 * requestId is unique per action, so a retried request finds its first record.
 */
export interface AdminAuditRecord {
  id: string;
  action: AdminAction;
  actorId: string;
  targetUserId: string;
  reason: string;
  requestId: string;
  /** The penalty lifted, or the ledger entry of an adjustment; null for a ban lift. */
  subjectId: string | null;
  /** e.g. `{ amount }` for an adjustment. */
  details: Record<string, unknown>;
  createdAt: Date;
}

export type AuditAppendResult = { status: 'inserted' } | { status: 'duplicate'; existing: AdminAuditRecord };

export interface AuditLogQuery {
  targetUserId?: string;
  action?: AdminAction;
  before?: string;
  limit: number;
}

/**
 * The admin audit log. SQLite and MongoDB adapters (server/stores/{sqlite,mongo}/admin-audit-store.ts)
 * share test/contract/admin-audit.contract.test.ts.
 */
export interface AdminAuditStore {
  /** Appends a record; an existing (action, requestId) answers the first record and writes nothing. */
  append(record: AdminAuditRecord): Promise<AuditAppendResult>;
  /** Newest first, paged by id; filtered by target user and/or action. */
  list(query: AuditLogQuery): Promise<Page<AdminAuditRecord>>;
}
