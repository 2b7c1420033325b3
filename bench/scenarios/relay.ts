import { performance } from 'node:perf_hooks';
import type { BenchSettings } from '../settings.js';
import { startServer, type ServerHandle } from '../server-process.js';
import { buildRooms, closeAll, runTag, type RoomClient } from '../population.js';
import { auditLedger, auditorName, registerAuditor, type LedgerAuditResult } from '../ledger-audit.js';
import type { BenchUser } from '../api.js';
import { combinePhases, round1, runLoadPhase, type LoadPhase, type LoadPhaseOptions, type LoadPhaseResult } from '../load.js';
import { ratioOf, trialStats, type TrialStats } from '../trials.js';

/** Where the relay and economy servers run: the embedded default, Redis mode, or two nodes behind the Redis adapter. */
export type Topology = 'embedded' | 'redis' | 'two-nodes';

export interface SaturationStep {
  offeredPerSec: number;
  ackedPerSec: number;
  p99AckMs: number | null;
  lostAcks: number;
  refused: number;
  skippedInFlight: number;
  serverCpuCores: number;
  serverLoopDelayMaxMs: number | null;
  sustained: boolean;
}

/** One climb of one server: steps until the first that is not sustained. */
export interface SaturationClimb {
  steps: SaturationStep[];
  /** Highest acked msg/s among sustained steps; null when even the first step was not sustained. */
  highestSustainedPerSec: number | null;
  /** False when every step was sustained: the figure is then a lower bound, not the limit. */
  limitReached: boolean;
}

/**
 * One load's cost trials: CPU-seconds per 1,000 acked messages, per server, and their ratio per
 * trial. Only trials where both servers kept up count: a server that falls behind spends the
 * window on an earlier backlog, and its CPU per acked message says nothing about a message's cost.
 */
export interface CostAtLoad {
  offeredPerSec: number;
  /** Trials run, and those left out because a server did not keep up (lost acks, held-back sends, p99 ack over the limit). */
  trialsRun: number;
  trialsNotKeptUp: number;
  relay: TrialStats;
  economy: TrialStats;
  /** economy / relay, trial by trial (the two windows of a trial are back to back). */
  ratio: TrialStats;
  /** Server cores, median over trials. */
  relayCores: TrialStats;
  economyCores: TrialStats;
}

export interface ClusterResult {
  topology: Topology;
  nodes: number;
  setupMs: number;
  /** The default load's windows pooled, per server: latency, deliveries, awards in the acks. */
  steady: { relay: LoadPhaseResult; economy: LoadPhaseResult } | null;
  cost: {
    loads: CostAtLoad[];
    /** economy / relay over every trial of every load: the headline economy-cost figure. */
    ratio: TrialStats;
  };
  saturation: {
    relay: TrialStats;
    economy: TrialStats;
    /** economy / relay highest sustained msg/s, trial by trial. */
    ratio: TrialStats;
    /** True when some climb found a limit (otherwise every figure is a lower bound). */
    limitReached: boolean;
    climbs: Array<{ relay: SaturationClimb; economy: SaturationClimb }>;
  };
  /** Each server's ledger audit after its last window (the relay's holds the registrations' awards). */
  ledgerAudit: { relay: LedgerAuditResult; economy: LedgerAuditResult };
}

interface Mode {
  economyEnabled: boolean;
  label: 'relay' | 'economy';
  nodes: ServerHandle[];
  clients: RoomClient[];
  /** An admin of this server, for the ledger audit at the end. */
  auditor: BenchUser | null;
}

export interface ClusterSpec {
  topology: Topology;
  /** Redis URL for 'redis' and 'two-nodes'. */
  redisUrl?: string;
  loadsPerSec: number[];
  trials: number;
  saturationTrials: number;
  /** The default load, whose windows are pooled into `steady` (when it is among the loads). */
  defaultLoadPerSec: number;
}

/**
 * Scenarios 1 and 2 for one topology: a relay cluster (ECONOMY_ENABLED=false) and an economy
 * cluster (true), each with its own N clients in R rooms (on two nodes, every room has members on
 * both). Cost: at each load, `trials` windows per cluster in turns, the order flipped every trial.
 * Saturation: `saturationTrials` climbs, relay and economy taking turns step by step; a climb ends
 * at its first step that is not sustained; the figure is the median over climbs.
 */
export async function runCluster(
  settings: BenchSettings,
  spec: ClusterSpec,
  log: (line: string) => void,
  cpuProfileDir?: (label: string) => string | undefined,
): Promise<ClusterResult> {
  const modes: Mode[] = [];
  const nodeCount = spec.topology === 'two-nodes' ? 2 : 1;
  const t0 = performance.now();
  try {
    await Promise.all(
      [false, true].map(async (economyEnabled, i) => {
        const label = economyEnabled ? 'economy' : 'relay';
        const mode: Mode = { economyEnabled, label, nodes: [], clients: [], auditor: null };
        modes[i] = mode;
        const profileDir = cpuProfileDir?.(label);
        const tag = runTag();
        const common = { env: { ECONOMY_ENABLED: String(economyEnabled), ADMIN_USERNAMES: auditorName(tag) }, economyOverrides: settings.economyOverrides };
        const first = await startServer({ ...common, redisUrl: spec.topology === 'embedded' ? null : spec.redisUrl!, ...(profileDir ? { cpuProfileDir: profileDir } : {}) });
        mode.nodes.push(first);
        for (let n = 1; n < nodeCount; n++) mode.nodes.push(await startServer({ ...common, peerOf: first }));
        mode.clients = await buildRooms(mode.nodes.map((s) => s.url), settings.relay.clients, settings.relay.rooms, settings.registerConcurrency);
        mode.auditor = await registerAuditor(first.url, tag);
      }),
    );
    const setupMs = Math.round(performance.now() - t0);
    log(`  ${spec.topology}: ${nodeCount} node(s) per server, ${settings.relay.clients} clients in ${settings.relay.rooms} rooms (${setupMs} ms)`);
    const common = { drainTimeoutMs: settings.drainTimeoutMs, inFlightPerClientMax: settings.inFlightPerClientMax, bodyBytes: settings.relay.bodyBytes };
    const phase = (mode: Mode, totalRatePerSec: number, warmupMs: number, measureMs: number): LoadPhaseOptions => ({ ...common, servers: mode.nodes, totalRatePerSec, warmupMs, measureMs });
    // Flipping the order every trial: whichever goes second meets a warmer machine (or a burst of noise) half the time.
    const inTurn = (trial: number): Mode[] => (trial % 2 === 0 ? modes : [...modes].reverse());

    const windows = new Map<string, LoadPhase[]>();
    const key = (mode: Mode, load: number): string => `${mode.label}@${load}`;
    for (let t = 0; t < spec.trials; t++) {
      for (const load of spec.loadsPerSec) {
        for (const mode of inTurn(t)) {
          const w = await runLoadPhase(mode.clients, phase(mode, load, settings.cost.warmupMs, settings.cost.measureMs), `${spec.topology}-${mode.label}-c${load}-${t}`);
          windows.set(key(mode, load), [...(windows.get(key(mode, load)) ?? []), w]);
        }
      }
    }
    const [relayMode, economyMode] = modes as [Mode, Mode];
    const keptUp = (w: LoadPhaseResult): boolean => keptUpWith(w, settings.saturation.p99AckLimitMs);
    // The trials where both kept up, as [relay, economy] windows.
    const validTrials = (load: number): Array<[LoadPhaseResult, LoadPhaseResult]> => {
      const r = windows.get(key(relayMode, load))!;
      const e = windows.get(key(economyMode, load))!;
      return r.map((w, k) => [w.result, e[k]!.result] as [LoadPhaseResult, LoadPhaseResult]).filter(([a, b]) => keptUp(a) && keptUp(b));
    };
    const loads: CostAtLoad[] = spec.loadsPerSec.map((load) => {
      const valid = validTrials(load);
      const r = valid.map(([a]) => a);
      const e = valid.map(([, b]) => b);
      return {
        offeredPerSec: load,
        trialsRun: spec.trials,
        trialsNotKeptUp: spec.trials - valid.length,
        relay: trialStats(r.map((x) => x.cpuSecondsPer1000Acked)),
        economy: trialStats(e.map((x) => x.cpuSecondsPer1000Acked)),
        ratio: trialStats(r.map((x, k) => ratioOf(e[k]!.cpuSecondsPer1000Acked, x.cpuSecondsPer1000Acked))),
        relayCores: trialStats(r.map((x) => x.serverCpuCores)),
        economyCores: trialStats(e.map((x) => x.serverCpuCores)),
      };
    });
    const allRatios = spec.loadsPerSec.flatMap((load) => validTrials(load).map(([r, e]) => ratioOf(e.cpuSecondsPer1000Acked, r.cpuSecondsPer1000Acked)));
    for (const l of loads) {
      log(`  ${spec.topology}: ${l.offeredPerSec} msg/s, CPU-s per 1,000 acked relay ${l.relay.median} economy ${l.economy.median}, ratio ${l.ratio.median} (${l.trialsNotKeptUp} of ${l.trialsRun} trials left out: not kept up)`);
    }
    const steady = spec.loadsPerSec.includes(spec.defaultLoadPerSec)
      ? { relay: combinePhases(windows.get(key(relayMode, spec.defaultLoadPerSec))!), economy: combinePhases(windows.get(key(economyMode, spec.defaultLoadPerSec))!) }
      : null;

    const climbs: Array<{ relay: SaturationClimb; economy: SaturationClimb }> = [];
    const sat = settings.saturation;
    for (let t = 0; t < spec.saturationTrials; t++) {
      const steps = new Map<Mode, SaturationStep[]>(modes.map((m) => [m, []]));
      const climbing = new Set(modes);
      for (const [k, rate] of sat.stepRatesPerSec.entries()) {
        for (const mode of inTurn(t)) {
          if (!climbing.has(mode)) continue;
          const step = toStep((await runLoadPhase(mode.clients, phase(mode, rate, sat.stepWarmupMs, sat.stepMeasureMs), `${spec.topology}-${mode.label}-s${t}.${k}`)).result, sat.p99AckLimitMs);
          steps.get(mode)!.push(step);
          if (!step.sustained) climbing.delete(mode);
        }
        if (climbing.size === 0) break;
      }
      const climb = { relay: summarizeClimb(steps.get(relayMode)!), economy: summarizeClimb(steps.get(economyMode)!) };
      climbs.push(climb);
      log(`  ${spec.topology}: climb ${t + 1}: relay ${climb.relay.highestSustainedPerSec} economy ${climb.economy.highestSustainedPerSec} msg/s`);
    }
    // After the last window: every award and registration of the run, on the shared store.
    const audit = async (mode: Mode): Promise<LedgerAuditResult> => auditLedger(mode.nodes[0]!.url, mode.auditor!, `the ${spec.topology} scenario (${mode.label})`);
    const ledgerAudit = { relay: await audit(modes[0]!), economy: await audit(modes[1]!) };
    return {
      topology: spec.topology,
      nodes: nodeCount,
      setupMs,
      ledgerAudit,
      steady,
      cost: { loads, ratio: trialStats(allRatios) },
      saturation: {
        relay: trialStats(climbs.map((c) => c.relay.highestSustainedPerSec)),
        economy: trialStats(climbs.map((c) => c.economy.highestSustainedPerSec)),
        ratio: trialStats(climbs.map((c) => ratioOf(c.economy.highestSustainedPerSec, c.relay.highestSustainedPerSec))),
        limitReached: climbs.some((c) => c.relay.limitReached || c.economy.limitReached),
        climbs,
      },
    };
  } finally {
    const started = modes.filter((m): m is Mode => m !== undefined);
    for (const mode of started) closeAll(mode.clients.map((c) => c.socket));
    // Second nodes first: the first node owns the shared data directory and Redis keys.
    await Promise.all(started.map(async (m) => {
      for (const node of [...m.nodes].reverse()) await node.stop();
    }));
  }
}

/**
 * A window is kept up (a saturation step sustained) when p99 send->ack stays within the limit,
 * every message was acked and accepted, and the open loop did not have to hold sends back.
 */
function keptUpWith(r: LoadPhaseResult, p99AckLimitMs: number): boolean {
  const refused = Object.values(r.refusedByCode).reduce((a, b) => a + b, 0);
  return r.ack.p99Ms !== null && r.ack.p99Ms <= p99AckLimitMs && r.lostAcks === 0 && refused === 0 && r.skippedInFlight === 0;
}

function toStep(r: LoadPhaseResult, p99AckLimitMs: number): SaturationStep {
  const refused = Object.values(r.refusedByCode).reduce((a, b) => a + b, 0);
  const sustained = keptUpWith(r, p99AckLimitMs);
  return {
    offeredPerSec: r.offeredPerSec,
    ackedPerSec: r.ackedPerSec,
    p99AckMs: r.ack.p99Ms,
    lostAcks: r.lostAcks,
    refused,
    skippedInFlight: r.skippedInFlight,
    serverCpuCores: r.serverCpuCores,
    serverLoopDelayMaxMs: r.serverLoopDelay.maxMs,
    sustained,
  };
}

function summarizeClimb(steps: SaturationStep[]): SaturationClimb {
  const sustained = steps.filter((s) => s.sustained);
  return {
    steps,
    highestSustainedPerSec: sustained.length ? round1(Math.max(...sustained.map((s) => s.ackedPerSec))) : null,
    limitReached: steps.some((s) => !s.sustained),
  };
}
