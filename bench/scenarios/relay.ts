import { performance } from 'node:perf_hooks';
import type { BenchSettings } from '../settings.js';
import { startServer, type ServerHandle } from '../server-process.js';
import { buildRooms, closeAll, type RoomClient } from '../population.js';
import { combinePhases, round1, runLoadPhase, type LoadPhase, type LoadPhaseResult } from '../load.js';

export interface SaturationStep {
  offeredPerSec: number;
  ackedPerSec: number;
  deliveredPerSec: number;
  p99AckMs: number | null;
  lostAcks: number;
  refused: number;
  skippedInFlight: number;
  serverCpuCores: number;
  clientEventLoopUtilization: number;
  serverLoopDelayMaxMs: number | null;
  sustained: boolean;
  /** When the step was run twice (its first run was not sustained): the first run's p99. */
  firstP99AckMs?: number | null;
}

export interface SaturationResult {
  steps: SaturationStep[];
  /** Highest acked msg/s among sustained steps; null when even the first step was not sustained. */
  highestSustainedPerSec: number | null;
  /** False when every step was sustained: the figure is then a lower bound, not the limit. */
  limitReached: boolean;
}

/** Scenarios 1 and 2 for one economy setting. */
export interface ModeResult {
  economyEnabled: boolean;
  setupMs: number;
  steady: LoadPhaseResult;
  saturation: SaturationResult;
}

interface Mode {
  economyEnabled: boolean;
  label: string;
  server: ServerHandle;
  clients: RoomClient[];
  setupMs: number;
}

/**
 * Scenarios 1 and 2, relay and economy side by side: two fresh servers (ECONOMY_ENABLED false and
 * true) each with its own N clients in R rooms. The steady load (scenario 1) runs on each in
 * alternating chunks; the saturation steps (scenario 2) alternate between them, so background noise on a shared
 * machine hits both alike. A step that is not sustained is run once more before it counts as the
 * limit, so one stall does not end the climb.
 */
export async function runModes(
  settings: BenchSettings,
  log: (line: string) => void,
  cpuProfileDir?: (label: string) => string | undefined,
): Promise<{ relay: ModeResult; economy: ModeResult }> {
  const modes: Mode[] = [];
  try {
    // Both servers start and fill up at once (setup is not measured), then take turns under load.
    await Promise.all(
      [false, true].map(async (economyEnabled, i) => {
        const label = economyEnabled ? 'economy' : 'relay';
        const profileDir = cpuProfileDir?.(label);
        const server = await startServer({
          env: { ECONOMY_ENABLED: String(economyEnabled) },
          economyOverrides: settings.economyOverrides,
          ...(profileDir ? { cpuProfileDir: profileDir } : {}),
        });
        const mode: Mode = { economyEnabled, label, server, clients: [], setupMs: 0 };
        modes[i] = mode;
        const t0 = performance.now();
        mode.clients = await buildRooms(server.url, settings.relay.clients, settings.relay.rooms, settings.registerConcurrency);
        mode.setupMs = Math.round(performance.now() - t0);
        log(`  ${label}: server up, ${settings.relay.clients} clients in ${settings.relay.rooms} rooms (${mode.setupMs} ms)`);
      }),
    );
    const common = { drainTimeoutMs: settings.drainTimeoutMs, inFlightPerClientMax: settings.inFlightPerClientMax, bodyBytes: settings.relay.bodyBytes };
    const serverOf = (m: Mode) => ({ server: m.server });
    // The steady window is cut into chunks taken in turns (relay, economy, relay, ...), so a burst
    // of other work on the machine lands on both servers rather than on one.
    const total = settings.relay.clients * settings.relay.ratePerClientPerSec;
    const chunkMs = Math.round(settings.relay.measureMs / settings.relay.chunks);
    const chunks = new Map<Mode, LoadPhase[]>(modes.map((m) => [m, []]));
    for (let c = 0; c < settings.relay.chunks; c++) {
      for (const mode of modes) {
        const phase = { ...common, ...serverOf(mode), totalRatePerSec: total, warmupMs: settings.relay.warmupMs, measureMs: chunkMs };
        chunks.get(mode)!.push(await runLoadPhase(mode.clients, phase, `${mode.label}-steady${c}`));
      }
    }
    const steady = new Map<Mode, LoadPhaseResult>(modes.map((m) => [m, combinePhases(chunks.get(m)!)]));
    for (const mode of modes) log(`  ${mode.label}: steady ${total} msg/s, p99 ack ${steady.get(mode)!.ack.p99Ms} ms`);
    const steps = new Map<Mode, SaturationStep[]>(modes.map((m) => [m, []]));
    const climbing = new Set(modes);
    for (const [k, rate] of settings.saturation.stepRatesPerSec.entries()) {
      for (const mode of modes) {
        if (!climbing.has(mode)) continue;
        const phase = { ...common, ...serverOf(mode), totalRatePerSec: rate, warmupMs: settings.saturation.stepWarmupMs, measureMs: settings.saturation.stepMeasureMs };
        let step = toStep((await runLoadPhase(mode.clients, phase, `${mode.label}-sat${k}`)).result, settings.saturation.p99AckLimitMs);
        if (!step.sustained) {
          const firstP99AckMs = step.p99AckMs;
          step = { ...toStep((await runLoadPhase(mode.clients, phase, `${mode.label}-sat${k}r`)).result, settings.saturation.p99AckLimitMs), firstP99AckMs };
        }
        steps.get(mode)!.push(step);
        log(`  ${mode.label}: step ${rate} msg/s ${step.sustained ? 'held' : 'over'}, p99 ack ${step.p99AckMs} ms`);
        if (!step.sustained) climbing.delete(mode);
      }
      if (climbing.size === 0) break;
    }
    const result = (m: Mode): ModeResult => ({ economyEnabled: m.economyEnabled, setupMs: m.setupMs, steady: steady.get(m)!, saturation: summarizeSaturation(steps.get(m)!) });
    return { relay: result(modes[0]!), economy: result(modes[1]!) };
  } finally {
    const started = modes.filter((m): m is Mode => m !== undefined);
    for (const mode of started) closeAll(mode.clients.map((c) => c.socket));
    await Promise.all(started.map((m) => m.server.stop()));
  }
}

/**
 * A step is sustained when p99 send->ack stays within the limit, every message was acked and
 * accepted, and the open loop did not have to hold sends back.
 */
function toStep(r: LoadPhaseResult, p99AckLimitMs: number): SaturationStep {
  const refused = Object.values(r.refusedByCode).reduce((a, b) => a + b, 0);
  const sustained = r.ack.p99Ms !== null && r.ack.p99Ms <= p99AckLimitMs && r.lostAcks === 0 && refused === 0 && r.skippedInFlight === 0;
  return {
    offeredPerSec: r.offeredPerSec,
    ackedPerSec: r.ackedPerSec,
    deliveredPerSec: r.deliveredPerSec,
    p99AckMs: r.ack.p99Ms,
    lostAcks: r.lostAcks,
    refused,
    skippedInFlight: r.skippedInFlight,
    serverCpuCores: r.serverCpuCores,
    clientEventLoopUtilization: r.clientEventLoopUtilization,
    serverLoopDelayMaxMs: r.serverLoopDelay.maxMs,
    sustained,
  };
}

function summarizeSaturation(steps: SaturationStep[]): SaturationResult {
  const sustained = steps.filter((s) => s.sustained);
  return {
    steps,
    highestSustainedPerSec: sustained.length ? round1(Math.max(...sustained.map((s) => s.ackedPerSec))) : null,
    limitReached: steps.some((s) => !s.sustained),
  };
}
