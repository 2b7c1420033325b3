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
import { formatStats, trialStats, type TrialStats } from './trials.js';

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
  /**
   * Rounds of (single, batched), taken in turns on the same store; the ratio is the median of the
   * rounds' ratios, with its spread. One round's ratio swings with whatever else the machine runs.
   */
  rounds?: number;
}

export interface LedgerBenchRow {
  backend: 'sqlite' | 'mongodb';
  mode: 'single' | 'batched';
  entries: number;
  /** Entries per transaction. */
  batchSize: number;
  /** Summed over the rounds. */
  elapsedMs: number;
  /** The median round's rate. */
  entriesPerSec: number;
  /** Each round's rate, in round order. */
  roundsPerSec: number[];
}

export interface LedgerBenchResult {
  rows: LedgerBenchRow[];
  /** Per backend: the median over rounds of batched entries/s divided by single entries/s, with the rounds' spread. */
  ratios: Array<{ backend: 'sqlite' | 'mongodb'; ratio: number; stats: TrialStats }>;
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

async function measureBackend(
  name: 'sqlite' | 'mongodb',
  backend: Backend,
  opts: Required<Omit<LedgerBenchOptions, 'mongoUrl'>>,
): Promise<{ rows: LedgerBenchRow[]; roundRatios: number[]; auditOk: boolean }> {
  const store = await createLedgerStore(backend);
  // Warm-up: statement caches, index builds, the first connection of the pool.
  await timePosts(store, drafts(Math.min(50, opts.entries), opts.users, `warm-${randomBytes(3).toString('hex')}`), 10);
  const modes = [['single', 1], ['batched', opts.batchSize]] as const;
  const elapsed: Record<'single' | 'batched', number[]> = { single: [], batched: [] };
  const roundRatios: number[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    for (const [mode, batchSize] of modes) {
      const entries = drafts(opts.entries, opts.users, `${mode}-${randomBytes(4).toString('hex')}`);
      elapsed[mode].push(await timePosts(store, entries, batchSize));
    }
    roundRatios.push(elapsed.single[round]! / elapsed.batched[round]!);
  }
  const rows = modes.map(([mode, batchSize]): LedgerBenchRow => {
    const roundsPerSec = elapsed[mode].map((ms) => (opts.entries / ms) * 1000);
    return { backend: name, mode, entries: opts.entries, batchSize, elapsedMs: elapsed[mode].reduce((a, b) => a + b, 0), entriesPerSec: trialStats(roundsPerSec).median!, roundsPerSec };
  });
  return { rows, roundRatios, auditOk: (await store.audit()).ok };
}

/** Measures both modes on SQLite (a fresh temporary file) and, when reachable, MongoDB. */
export async function measureLedger(options: LedgerBenchOptions): Promise<LedgerBenchResult> {
  const opts = { entries: options.entries, batchSize: options.batchSize, users: options.users ?? BENCH_USERS_DEFAULT, rounds: options.rounds ?? 1 };
  const rows: LedgerBenchRow[] = [];
  const ratios: LedgerBenchResult['ratios'] = [];
  let auditsOk = true;

  const dir = mkdtempSync(join(tmpdir(), 'tc-bench-ledger-'));
  const sqlite = await openBackend({ mongoUrl: undefined, dataDir: dir }, silent);
  try {
    const r = await measureBackend('sqlite', sqlite, opts);
    rows.push(...r.rows);
    const stats = trialStats(r.roundRatios);
    ratios.push({ backend: 'sqlite', ratio: stats.median!, stats });
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
      const stats = trialStats(r.roundRatios);
      ratios.push({ backend: 'mongodb', ratio: stats.median!, stats });
      auditsOk &&= r.auditOk;
      mongoSkipped = null;
    } finally {
      if (mongo.kind === 'mongodb') await mongo.connection.dropDatabase().catch(() => undefined);
      await mongo.close();
    }
  }

  return { rows, ratios, mongoSkipped, auditsOk };
}

/** The result as a plain-text table. */
export function renderLedgerTable(result: LedgerBenchResult): string {
  const header = ['backend', 'mode', 'entries', 'per txn', 'ms', 'entries/s', 'batched/single'];
  const lines = result.rows.map((r) => {
    const stats = result.ratios.find((x) => x.backend === r.backend)?.stats;
    const ratio = r.mode === 'batched' && stats ? `x${formatStats(stats, 1)}` : '';
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
  const result = await measureLedger({ entries: arg('entries', 5_000), batchSize: arg('batch', 100), rounds: arg('rounds', 3) });
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
