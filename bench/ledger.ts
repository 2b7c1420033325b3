import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { openBackend, type Backend } from '../server/stores/backend.js';
import { createLedgerStore } from '../server/stores/ledger.js';
import { earnEntry } from '../server/ledger/entries.js';
import type { JournalEntry, LedgerStore } from '../server/ledger/ports.js';
import { newId } from '../server/lib/ids.js';

/**
 * `npm run bench:ledger`: entries per second posted one per transaction versus in batches, on
 * SQLite, and on MongoDB when MONGO_URL is set, in one process. `measureLedger` is exported for
 * the benchmark runner (bench/run.ts), which puts the figures into bench/results/latest.json.
 */

export interface LedgerBenchOptions {
  /** Entries posted per measurement (each mode posts this many). */
  entries: number;
  /** Entries per transaction in the batched mode. */
  batchSize: number;
  /** A MongoDB replica set to measure too; defaults to MONGO_URL. */
  mongoUrl?: string;
  /** Distinct users the awards are spread over. */
  users?: number;
}

export interface LedgerBenchRow {
  backend: 'sqlite' | 'mongodb';
  mode: 'single' | 'batched';
  entries: number;
  /** Entries per transaction. */
  batchSize: number;
  elapsedMs: number;
  entriesPerSec: number;
}

export interface LedgerBenchResult {
  rows: LedgerBenchRow[];
  /** Per backend: batched entries/s divided by single entries/s. */
  ratios: Array<{ backend: 'sqlite' | 'mongodb'; ratio: number }>;
  /** Why MongoDB was not measured, or null when it was. */
  mongoSkipped: string | null;
  /** Every measured ledger passed its audit afterwards. */
  auditsOk: boolean;
}

const silent = pino({ level: 'silent' });
const BENCH_USERS_DEFAULT = 50;

function drafts(count: number, users: number, runTag: string): JournalEntry[] {
  const at = new Date();
  return Array.from({ length: count }, (_, i) => ({
    ...earnEntry(`bench-${i % users}`, 1 + (i % 5), { idempotencyKey: `earn:bench:${runTag}:${i}`, activity: 'send_message' }),
    id: newId(),
    createdAt: at,
  }));
}

async function timePosts(store: LedgerStore, entries: JournalEntry[], batchSize: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < entries.length; i += batchSize) {
    const outcomes = await store.post(entries.slice(i, i + batchSize));
    if (outcomes.some((o) => o.status !== 'posted')) throw new Error('bench entry was not posted');
  }
  return performance.now() - started;
}

async function measureBackend(name: 'sqlite' | 'mongodb', backend: Backend, opts: Required<Omit<LedgerBenchOptions, 'mongoUrl'>>): Promise<{ rows: LedgerBenchRow[]; auditOk: boolean }> {
  const store = await createLedgerStore(backend);
  // Warm-up: statement caches, index builds, the first connection of the pool.
  await timePosts(store, drafts(Math.min(50, opts.entries), opts.users, `warm-${randomBytes(3).toString('hex')}`), 10);
  const rows: LedgerBenchRow[] = [];
  for (const [mode, batchSize] of [['single', 1], ['batched', opts.batchSize]] as const) {
    const entries = drafts(opts.entries, opts.users, `${mode}-${randomBytes(4).toString('hex')}`);
    const elapsedMs = await timePosts(store, entries, batchSize);
    rows.push({ backend: name, mode, entries: opts.entries, batchSize, elapsedMs, entriesPerSec: (opts.entries / elapsedMs) * 1000 });
  }
  return { rows, auditOk: (await store.audit()).ok };
}

/** Measures both modes on SQLite (a fresh temporary file) and, when reachable, MongoDB. */
export async function measureLedger(options: LedgerBenchOptions): Promise<LedgerBenchResult> {
  const opts = { entries: options.entries, batchSize: options.batchSize, users: options.users ?? BENCH_USERS_DEFAULT };
  const rows: LedgerBenchRow[] = [];
  let auditsOk = true;

  const dir = mkdtempSync(join(tmpdir(), 'tc-bench-ledger-'));
  const sqlite = await openBackend({ mongoUrl: undefined, dataDir: dir }, silent);
  try {
    const r = await measureBackend('sqlite', sqlite, opts);
    rows.push(...r.rows);
    auditsOk &&= r.auditOk;
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const mongoUrl = options.mongoUrl ?? process.env['MONGO_URL'];
  let mongoSkipped: string | null = 'MONGO_URL is not set';
  if (mongoUrl) {
    const url = new URL(mongoUrl);
    url.pathname = `/tc_bench_ledger_${randomBytes(4).toString('hex')}`;
    const mongo = await openBackend({ mongoUrl: url.toString(), dataDir: tmpdir() }, silent);
    try {
      const r = await measureBackend('mongodb', mongo, opts);
      rows.push(...r.rows);
      auditsOk &&= r.auditOk;
      mongoSkipped = null;
    } finally {
      if (mongo.kind === 'mongodb') await mongo.connection.dropDatabase().catch(() => undefined);
      await mongo.close();
    }
  }

  const ratios = (['sqlite', 'mongodb'] as const).flatMap((backend) => {
    const single = rows.find((r) => r.backend === backend && r.mode === 'single');
    const batched = rows.find((r) => r.backend === backend && r.mode === 'batched');
    return single && batched ? [{ backend, ratio: batched.entriesPerSec / single.entriesPerSec }] : [];
  });
  return { rows, ratios, mongoSkipped, auditsOk };
}

/** The result as a plain-text table. */
export function renderLedgerTable(result: LedgerBenchResult): string {
  const header = ['backend', 'mode', 'entries', 'per txn', 'ms', 'entries/s', 'batched/single'];
  const lines = result.rows.map((r) => {
    const ratio = r.mode === 'batched' ? `x${(result.ratios.find((x) => x.backend === r.backend)?.ratio ?? 0).toFixed(1)}` : '';
    return [r.backend, r.mode, String(r.entries), String(r.batchSize), r.elapsedMs.toFixed(0), r.entriesPerSec.toFixed(0), ratio];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  const out = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)];
  if (result.mongoSkipped) out.push(`MongoDB not measured: ${result.mongoSkipped}.`);
  out.push(result.auditsOk ? 'Audit after the run: ok.' : 'Audit after the run: FAILED.');
  return out.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const arg = (name: string, fallback: number): number => {
    const hit = argv.find((a) => a.startsWith(`--${name}=`));
    const value = hit ? Number(hit.slice(name.length + 3)) : fallback;
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
    return value;
  };
  const result = await measureLedger({ entries: arg('entries', 5_000), batchSize: arg('batch', 100) });
  console.log(renderLedgerTable(result));
  return result.auditsOk ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`bench:ledger failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
