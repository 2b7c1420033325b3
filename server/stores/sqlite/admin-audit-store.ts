import type { AdminAction, AdminAuditRecord, AdminAuditStore, AuditLogQuery } from '../../admin/ports.js';
import type { Page } from '../ports.js';
import type { SqliteDb } from './db.js';
import { fromMs, pagedQuery, toMs } from './columns.js';

const DDL = `
CREATE TABLE IF NOT EXISTS admin_audit_log (
  id TEXT PRIMARY KEY,
  action TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  target_user_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  request_id TEXT NOT NULL,
  subject_id TEXT,
  details TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS admin_audit_action_request ON admin_audit_log (action, request_id);
CREATE INDEX IF NOT EXISTS admin_audit_target ON admin_audit_log (target_user_id, id);
CREATE INDEX IF NOT EXISTS admin_audit_action ON admin_audit_log (action, id);
-- Append-only: the log cannot be edited, even by a later bug.
CREATE TRIGGER IF NOT EXISTS admin_audit_no_update BEFORE UPDATE ON admin_audit_log BEGIN SELECT RAISE(ABORT, 'admin_audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS admin_audit_no_delete BEFORE DELETE ON admin_audit_log BEGIN SELECT RAISE(ABORT, 'admin_audit_log is append-only'); END;
`;

interface AuditRow {
  id: string;
  action: AdminAction;
  actor_id: string;
  target_user_id: string;
  reason: string;
  request_id: string;
  subject_id: string | null;
  details: string;
  created_at: number;
}

const fromRow = (r: AuditRow): AdminAuditRecord => ({
  id: r.id,
  action: r.action,
  actorId: r.actor_id,
  targetUserId: r.target_user_id,
  reason: r.reason,
  requestId: r.request_id,
  subjectId: r.subject_id,
  details: JSON.parse(r.details) as Record<string, unknown>,
  createdAt: fromMs(r.created_at),
});

type Filter = { userId?: string; action?: string };

/** The admin audit log in the embedded SQLite file; append-only by trigger. */
export function createSqliteAdminAuditStore(db: SqliteDb): AdminAuditStore {
  db.exec(DDL);
  const insert = db.prepare(
    `INSERT INTO admin_audit_log (id, action, actor_id, target_user_id, reason, request_id, subject_id, details, created_at)
     VALUES (@id, @action, @actorId, @targetUserId, @reason, @requestId, @subjectId, @details, @createdAt)
     ON CONFLICT (action, request_id) DO NOTHING`,
  );
  const byRequest = db.prepare<[string, string], AuditRow>('SELECT * FROM admin_audit_log WHERE action = ? AND request_id = ?');
  // One statement per filter combination, so each one keeps an index range scan.
  const page = (where: string) => pagedQuery<Filter, AuditRow, AdminAuditRecord>(db, 'id', (cursor) => `SELECT * FROM admin_audit_log WHERE ${where} ${cursor} ORDER BY id DESC LIMIT @limit`, fromRow);
  const pages = {
    all: page('1 = 1'),
    user: page('target_user_id = @userId'),
    action: page('action = @action'),
    both: page('target_user_id = @userId AND action = @action'),
  };

  return {
    async append(r) {
      const result = insert.run({ ...r, details: JSON.stringify(r.details), createdAt: toMs(r.createdAt) });
      if (result.changes === 1) return { status: 'inserted' };
      return { status: 'duplicate', existing: fromRow(byRequest.get(r.action, r.requestId)!) };
    },
    async list(q: AuditLogQuery): Promise<Page<AdminAuditRecord>> {
      const opts = { before: q.before, limit: q.limit };
      if (q.targetUserId !== undefined && q.action !== undefined) return pages.both({ userId: q.targetUserId, action: q.action }, opts);
      if (q.targetUserId !== undefined) return pages.user({ userId: q.targetUserId }, opts);
      if (q.action !== undefined) return pages.action({ action: q.action }, opts);
      return pages.all({}, opts);
    },
  };
}
