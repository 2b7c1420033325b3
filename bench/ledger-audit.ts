import { http, register, type BenchUser } from './api.js';
import { benchPassword } from './population.js';

/**
 * The server's own ledger audit, read at the end of every scenario that runs a server (issue 16:
 * "the ledger audit passes after every scenario"): every entry balanced, every account's balance
 * the sum of its legs. A scenario whose audit fails throws, so the run exits 1 instead of
 * reporting figures a broken ledger produced.
 */
export interface LedgerAuditResult {
  ok: boolean;
  /** Journal entries the audit read: awards, gifts, funding, registrations. */
  entries: number;
  violations: number;
}

/** The username a scenario's admin registers under; pass it to the server as ADMIN_USERNAMES. */
export function auditorName(tag: string): string {
  return `baud${tag}`;
}

/** Registers the scenario's admin (the server must have been started with ADMIN_USERNAMES naming it). */
export function registerAuditor(baseUrl: string, tag: string): Promise<BenchUser> {
  return register(baseUrl, auditorName(tag), benchPassword);
}

/** `GET /api/admin/ledger/audit` as that admin; throws when the ledger does not balance. */
export async function auditLedger(baseUrl: string, admin: BenchUser, scenario: string): Promise<LedgerAuditResult> {
  const report = await http<{ ok: boolean; entries: number; violations: unknown[] }>(baseUrl, 'GET', '/api/admin/ledger/audit', undefined, admin.token);
  const result = { ok: report.ok, entries: report.entries, violations: report.violations.length };
  if (!result.ok) throw new Error(`ledger audit failed after ${scenario}: ${JSON.stringify(report.violations.slice(0, 5))}`);
  return result;
}
