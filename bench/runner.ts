import { performance } from 'node:perf_hooks';
import { defaultSettings, quickSettings, type BenchSettings } from './settings.js';
import { killAllServers } from './server-process.js';
import { loadAverage1m, machineInfo, renderTable, writeJson, type MachineInfo } from './report.js';
import { runModes, type ModeResult } from './scenarios/relay.js';
import { runGiftStorm, type GiftStormResult } from './scenarios/gift-storm.js';
import { runConnections, type ConnectionsResult } from './scenarios/connections.js';
import { runLedgerScenario, type LedgerScenarioResult } from './scenarios/ledger-scenario.js';
import { evaluateTargets, type TargetVerdict } from './targets.js';

/** A scenario's figures, or why there are none: never a made-up number. */
export type ScenarioOutcome<T> =
  | { status: 'ok'; value: T }
  | { status: 'unavailable'; reason: string }
  | { status: 'failed'; reason: string };

export interface BenchResult {
  date: string;
  durationMs: number;
  settings: BenchSettings;
  machine: MachineInfo;
  backends: { store: string; counters: string };
  /** Wall time of each scenario, setup included. */
  scenarioMs: Record<string, number>;
  relay: ScenarioOutcome<ModeResult>;
  economy: ScenarioOutcome<ModeResult>;
  comparison: {
    /** economy / relay delivered msg/s at the same offered load (scenario 1). */
    steadyDeliveredRatio: number | null;
    steadyP99AckDeltaMs: number | null;
    /** economy / relay highest sustained msg/s (scenario 2): the throughput cost of the economy. */
    saturationRatio: number | null;
  };
  gifts: ScenarioOutcome<GiftStormResult>;
  ledger: ScenarioOutcome<LedgerScenarioResult>;
  connections: ScenarioOutcome<ConnectionsResult>;
  /** The targets judged against this run. */
  targets: TargetVerdict[];
}

export interface BenchOptions {
  quick?: boolean;
  /** Where to write the JSON (bench/results/latest.json from the CLI). */
  outFile?: string;
  /** Write CPU profiles of the relay, economy and gift servers here (one folder each). */
  cpuProfileDir?: string;
  /** Progress lines (stderr from the CLI). */
  log?: (line: string) => void;
  /** Watchdog: the run is abandoned (servers killed) past this; defaults to the settings' budget. */
  hardStopMs?: number;
}

/**
 * Runs every scenario in turn, each on its own fresh server child, under a watchdog for the
 * whole budget; every server is killed at the end whatever happens.
 */
export async function runBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const settings = opts.quick ? quickSettings : defaultSettings;
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const date = new Date().toISOString();
  const loadAtStart = loadAverage1m();
  const hardStopMs = opts.hardStopMs ?? settings.budgetMs;
  let watchdog: NodeJS.Timeout | undefined;
  // Once stopped, the abandoned run starts no further scenario (and so no further server).
  const stop = { stopped: false };
  const overBudget = new Promise<never>((_, reject) => {
    watchdog = setTimeout(() => {
      stop.stopped = true;
      reject(new Error(`bench exceeded ${hardStopMs / 1000} s and was stopped`));
    }, hardStopMs);
  });
  try {
    return await Promise.race([runAll(settings, opts, log, { date, started, loadAtStart, stop }), overBudget]);
  } finally {
    clearTimeout(watchdog);
    killAllServers();
  }
}

async function runAll(
  settings: BenchSettings,
  opts: BenchOptions,
  log: (line: string) => void,
  run: { date: string; started: number; loadAtStart: number; stop: { stopped: boolean } },
): Promise<BenchResult> {
  const profileDir = (name: string): string | undefined => (opts.cpuProfileDir ? `${opts.cpuProfileDir}/${name}` : undefined);
  const scenarioMs: Record<string, number> = {};
  const timed = async <T>(name: string, task: () => Promise<T>): Promise<T> => {
    if (run.stop.stopped) throw new Error('bench stopped');
    log(name);
    const t0 = performance.now();
    try {
      return await task();
    } finally {
      scenarioMs[name] = Math.round(performance.now() - t0);
      log(`${name}: ${scenarioMs[name]} ms`);
    }
  };
  const modes = await timed('relay+economy', () => attempt(() => runModes(settings, log, profileDir)));
  const relay = pick(modes, 'relay');
  const economy = pick(modes, 'economy');
  const gifts = await timed('gifts', () => attempt<GiftStormResult>(async () => {
    const r = await runGiftStorm(settings, profileDir('gifts'));
    return r.available ? r : ({ unavailable: r.reason } as const);
  }));
  const ledger = await timed('ledger', () => attempt<LedgerScenarioResult>(() => runLedgerScenario(settings)));
  const connections = await timed('connections', () => attempt(() => runConnections(settings)));

  const partial: Omit<BenchResult, 'targets'> = {
    date: run.date,
    durationMs: Math.round(performance.now() - run.started),
    settings,
    machine: machineInfo(run.loadAtStart),
    backends: {
      store: process.env['MONGO_URL'] ? 'MongoDB' : 'SQLite',
      counters: process.env['REDIS_URL'] ? 'Redis' : 'in-process',
    },
    scenarioMs,
    relay,
    economy,
    comparison: compare(relay, economy),
    gifts,
    ledger,
    connections,
  };
  const result: BenchResult = { ...partial, targets: evaluateTargets({ ...partial, targets: [] }) };
  if (opts.outFile) writeJson(opts.outFile, result);
  return result;
}

/** Runs a scenario; an `{ unavailable }` answer or a throw becomes the outcome, never a figure. */
async function attempt<T>(run: () => Promise<T | { readonly unavailable: string }>): Promise<ScenarioOutcome<T>> {
  try {
    const value = await run();
    if (typeof value === 'object' && value !== null && 'unavailable' in value) return { status: 'unavailable', reason: value.unavailable };
    return { status: 'ok', value: value as T };
  } catch (err) {
    // The whole message (with the server's last lines when it died) goes to the JSON; the table shows its first line.
    return { status: 'failed', reason: (err instanceof Error ? err.message : String(err)).slice(0, 4000) };
  }
}

function pick(modes: ScenarioOutcome<{ relay: ModeResult; economy: ModeResult }>, key: 'relay' | 'economy'): ScenarioOutcome<ModeResult> {
  return modes.status === 'ok' ? { status: 'ok', value: modes.value[key] } : modes;
}

function compare(relay: ScenarioOutcome<ModeResult>, economy: ScenarioOutcome<ModeResult>): BenchResult['comparison'] {
  if (relay.status !== 'ok' || economy.status !== 'ok') return { steadyDeliveredRatio: null, steadyP99AckDeltaMs: null, saturationRatio: null };
  const r = relay.value;
  const e = economy.value;
  const ratio = (a: number | null, b: number | null): number | null => (a !== null && b !== null && b > 0 ? Math.round((a / b) * 1000) / 1000 : null);
  const delta = e.steady.ack.p99Ms !== null && r.steady.ack.p99Ms !== null ? Math.round((e.steady.ack.p99Ms - r.steady.ack.p99Ms) * 100) / 100 : null;
  return {
    steadyDeliveredRatio: ratio(e.steady.deliveredPerSec, r.steady.deliveredPerSec),
    steadyP99AckDeltaMs: delta,
    saturationRatio: ratio(e.saturation.highestSustainedPerSec, r.saturation.highestSustainedPerSec),
  };
}

export { renderTable };
