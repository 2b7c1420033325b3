import { performance } from 'node:perf_hooks';
import { defaultSettings, quickSettings, type BenchSettings } from './settings.js';
import { killAllServers } from './server-process.js';
import { loadAverage1m, machineInfo, renderTable, writeJson, type MachineInfo } from './report.js';
import { Redis } from 'ioredis';
import { runCluster, type ClusterResult, type ClusterSpec, type Topology } from './scenarios/relay.js';
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
  /**
   * Scenarios 1 and 2 per topology: the embedded default (SQLite, in-process counters), Redis
   * mode on one node, and two nodes behind the Redis adapter.
   */
  clusters: Record<Topology, ScenarioOutcome<ClusterResult>>;
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
  /** Run only these scenarios (SCENARIOS names); the others are reported as skipped. All when absent. */
  only?: ReadonlySet<string>;
}

/** Scenario names for `--only`. */
export const SCENARIOS = ['embedded', 'redis', 'two-nodes', 'gifts', 'ledger', 'connections'] as const;

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
  const timed = async <T>(name: string, task: () => Promise<ScenarioOutcome<T>>): Promise<ScenarioOutcome<T>> => {
    if (run.stop.stopped) throw new Error('bench stopped');
    const scenario = name.split(' ')[0]!;
    if (opts.only && !opts.only.has(scenario)) return { status: 'unavailable', reason: 'skipped (--only)' };
    log(name);
    const t0 = performance.now();
    try {
      const outcome = await task();
      if (outcome.status === 'failed') log(`${name} FAILED: ${outcome.reason.split('\n').slice(0, 6).join(' | ')}`);
      return outcome;
    } finally {
      scenarioMs[name] = Math.round(performance.now() - t0);
      log(`${name}: ${scenarioMs[name]} ms`);
    }
  };
  const defaultLoadPerSec = settings.relay.clients * settings.relay.ratePerClientPerSec;
  const clusters = {} as Record<Topology, ScenarioOutcome<ClusterResult>>;
  clusters.embedded = await timed('embedded relay+economy', () =>
    attempt(() => runCluster(settings, { topology: 'embedded', loadsPerSec: settings.cost.loadsPerSec, trials: settings.cost.trials, saturationTrials: settings.saturation.trials, defaultLoadPerSec }, log, profileDir)),
  );
  const redisUrl = process.env['REDIS_URL'] ?? settings.clusters.redisUrlDefault;
  const redisDown = await unreachable(redisUrl);
  for (const topology of ['redis', 'two-nodes'] as const) {
    const spec: ClusterSpec = { topology, redisUrl, loadsPerSec: settings.clusters.loadsPerSec, trials: settings.clusters.trials, saturationTrials: settings.clusters.saturationTrials, defaultLoadPerSec };
    clusters[topology] = redisDown
      ? { status: 'unavailable', reason: `no Redis at ${redisUrl.replace(/\/\/[^@/]*@/, '//')} (${redisDown})` }
      : await timed(`${topology} relay+economy`, () => attempt(() => runCluster(settings, spec, log)));
  }
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
      counters: process.env['REDIS_URL'] ? 'Redis (gifts, connections); scenarios 1-2 per topology' : 'in-process (scenarios 1-2 also per topology)',
    },
    scenarioMs,
    clusters,
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

/** Why Redis cannot be used for the Redis topologies, or null when it answers PING. */
async function unreachable(url: string): Promise<string | null> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    redis.disconnect();
  }
}

export { renderTable };
