import type { Backend } from './backend.js';
import type { AdminAuditStore } from '../admin/ports.js';
import { createSqliteAdminAuditStore } from './sqlite/admin-audit-store.js';

/** The admin audit log over the process's one backend (the MongoDB adapter loads only with MongoDB). */
export async function createAdminAuditStore(backend: Backend): Promise<AdminAuditStore> {
  if (backend.kind === 'sqlite') return createSqliteAdminAuditStore(backend.db);
  const { createMongoAdminAuditStore } = await import('./mongo/admin-audit-store.js');
  return createMongoAdminAuditStore(backend.connection, backend.indexBuilds);
}
