import type { BenchSettings } from '../settings.js';
import { measureLedger, type LedgerBenchResult } from '../ledger.js';
import { formatStats, trialStats } from '../trials.js';

export interface LedgerScenarioResult {
  /** Table rows: one per backend and mode, then the batched/single ratio per backend. */
  rows: Array<{ label: string; value: string }>;
  raw: LedgerBenchResult;
}

/**
 * Scenario 4: the ledger's own measurement (bench/ledger.ts, owned by the ledger), run in this
 * process on a fresh SQLite file, and on MongoDB when MONGO_URL is set. A ledger whose audit fails
 * afterwards fails the scenario: its figures would not be trustworthy.
 */
export async function runLedgerScenario(settings: BenchSettings): Promise<LedgerScenarioResult> {
  const raw = await measureLedger({ entries: settings.ledger.entries, batchSize: settings.ledger.batchSize, rounds: settings.ledger.rounds });
  if (!raw.auditsOk) throw new Error('ledger audit failed after the ledger benchmark');
  const rows = raw.rows.map((r) => ({
    label: `${r.backend} ${r.mode} (${r.batchSize}/txn)`,
    value: `${formatStats(trialStats(r.roundsPerSec), 0, ' entries/s')}`,
  }));
  for (const r of raw.ratios) rows.push({ label: `${r.backend} batched / single`, value: `x${formatStats(r.stats, 1)}, median of rounds taken in turns` });
  if (raw.mongoSkipped) rows.push({ label: 'mongodb', value: `not measured: ${raw.mongoSkipped}` });
  return { rows, raw };
}
