import { performance } from 'node:perf_hooks';
import type { BenchSettings } from '../settings.js';
import { startServer, type ChildMemory } from '../server-process.js';
import { connectSocket, mapLimit, type BenchSocket } from '../api.js';
import { closeAll, registerUsers, runTag } from '../population.js';
import { round1 } from '../load.js';
import { auditLedger, auditorName, registerAuditor, type LedgerAuditResult } from '../ledger-audit.js';

export interface ConnectionsResult {
  sockets: number;
  users: number;
  connectedPerSec: number;
  before: ChildMemory;
  after: ChildMemory;
  /** (after - before) / sockets, from /proc/<pid>/status VmRSS. */
  rssPerConnectionBytes: number;
  /** Same for the V8 heap, both read right after a full GC in the child. */
  heapPerConnectionBytes: number | null;
  /** The server's ledger audit at the end (the registrations' awards). */
  ledgerAudit: LedgerAuditResult;
}

const settleMs = 500;

/**
 * Scenario 5: memory per idle authenticated connection. A fresh server, a few users, one warm-up
 * socket per user (so code paths and per-user channels exist before the baseline), then `sockets`
 * more websocket connections authenticated round-robin as those users; memory before and after,
 * each after a full GC in the child.
 */
export async function runConnections(settings: BenchSettings): Promise<ConnectionsResult> {
  const c = settings.connections;
  const tag = runTag();
  const server = await startServer({ env: { ADMIN_USERNAMES: auditorName(tag) } });
  const open: BenchSocket[] = [];
  try {
    const auditor = await registerAuditor(server.url, tag);
    const users = await registerUsers(server.url, `bc${tag}`, c.users, settings.registerConcurrency);
    open.push(...(await mapLimit(users, c.connectConcurrency, (u) => connectSocket(server.url, u.token))));
    await pause(settleMs);
    const before = await server.memory();

    const t0 = performance.now();
    const slots = Array.from({ length: c.sockets }, (_, i) => users[i % users.length]!);
    await mapLimit(slots, c.connectConcurrency, async (u) => {
      open.push(await connectSocket(server.url, u.token));
    });
    const connectMs = performance.now() - t0;
    await pause(settleMs);
    const after = await server.memory();
    const ledgerAudit = await auditLedger(server.url, auditor, 'the connections scenario');

    return {
      sockets: c.sockets,
      users: c.users,
      connectedPerSec: round1(c.sockets / (connectMs / 1000)),
      before,
      after,
      rssPerConnectionBytes: Math.round((after.rssBytes - before.rssBytes) / c.sockets),
      heapPerConnectionBytes:
        after.heapUsedBytes !== null && before.heapUsedBytes !== null ? Math.round((after.heapUsedBytes - before.heapUsedBytes) / c.sockets) : null,
      ledgerAudit,
    };
  } finally {
    closeAll(open);
    await server.stop();
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
