import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { readCpuSeconds, type ServerHandle } from './server-process.js';
import type { Ack } from '../shared/ack.js';
import type { MessageView } from '../shared/events.js';
import type { AckOf } from './api.js';
import type { RoomClient } from './population.js';
import { SampleBuffer, type LatencySummary } from './samples.js';

export interface LoadPhaseOptions {
  /** Offered load, messages per second summed over all clients. */
  totalRatePerSec: number;
  warmupMs: number;
  measureMs: number;
  drainTimeoutMs: number;
  inFlightPerClientMax: number;
  bodyBytes: number;
  /** The server children (one, or every node of a cluster), to measure CPU and event-loop delay over the window. */
  servers: ReadonlyArray<Pick<ServerHandle, 'pid' | 'loopDelaySince' | 'exitReason' | 'output'>>;
}

/** What the inline awards did during a phase, read from the `message:send` acks. */
export interface AwardTally {
  /** Acks whose award granted tokens. */
  granted: number;
  tokens: number;
  /** Acks with an award that granted nothing, by reason. */
  refusedByReason: Record<string, number>;
  /** Acks with `award: null` (economy off, or no award wired into message:send). */
  none: number;
}

export interface LoadPhaseResult {
  offeredPerSec: number;
  windowMs: number;
  /** Messages sent inside the measurement window. */
  sent: number;
  acked: number;
  refusedByCode: Record<string, number>;
  /** Window messages without any ack by the end of the drain. */
  lostAcks: number;
  /** Sends the open loop skipped because the client already had too many unacknowledged. */
  skippedInFlight: number;
  /** Acks received inside the window, per second. */
  ackedPerSec: number;
  /** `message:new` events received by other members inside the window, per second. */
  deliveredPerSec: number;
  deliveriesExpected: number;
  deliveriesReceived: number;
  ack: LatencySummary;
  delivery: LatencySummary;
  awards: AwardTally;
  /** Server CPU over the window, in cores (1 = one core busy the whole time; Node's JS runs on one), summed over nodes. */
  serverCpuCores: number;
  /** Server CPU-seconds (user + system, every node) over the window. */
  serverCpuSeconds: number;
  /**
   * Server CPU-seconds per 1,000 messages acked in the window: the cost of a message, comparable
   * between servers at the same offered load. Null when nothing was acked.
   */
  cpuSecondsPer1000Acked: number | null;
  /** Event-loop utilization of this bench process over the window (near 1: the load generator is the limit). */
  clientEventLoopUtilization: number;
  /**
   * The server's event-loop delay over the window (its per-second reports): the worst p99 and the
   * max. High delay with low server CPU means the machine starved the server; with high CPU, the
   * server itself was busy or blocked (synchronous SQLite, GC).
   */
  serverLoopDelay: { p99MsMax: number | null; maxMs: number | null };
}

interface Pending {
  sentAt: number;
  inWindow: boolean;
  expected: number;
  received: number;
  answered: boolean;
}

const tickMs = 5;
/** Catch-up bound per client per tick after an event-loop stall. */
const sendsPerTickMax = 20;
const drainPollMs = 20;

/**
 * Drives `message:send` open-loop at a fixed total rate over the given clients (each sends at
 * the same rate, start times staggered), then stops and waits (bounded) for outstanding acks and
 * deliveries. Latencies are measured in this process's monotonic clock: send -> ack at the sender
 * and send -> `message:new` at every other member of the room.
 */
/** A phase's result with its raw samples and window counts, so several phases can be combined. */
export interface LoadPhase {
  result: LoadPhaseResult;
  ackSamples: SampleBuffer;
  deliverySamples: SampleBuffer;
  ackedInWindow: number;
  deliveredInWindow: number;
}

export async function runLoadPhase(clients: RoomClient[], opts: LoadPhaseOptions, phaseTag: string): Promise<LoadPhase> {
  if (clients.length === 0 || !(opts.totalRatePerSec > 0)) throw new Error('a load phase needs clients and a positive rate');
  const intervalMs = (clients.length / opts.totalRatePerSec) * 1000;
  const body = 'bench '.repeat(Math.ceil(opts.bodyBytes / 6)).slice(0, opts.bodyBytes);
  const pending = new Map<string, Pending>();
  const ackSamples = new SampleBuffer();
  const deliverySamples = new SampleBuffer();
  const awards: AwardTally = { granted: 0, tokens: 0, refusedByReason: {}, none: 0 };
  const refusedByCode: Record<string, number> = {};
  const inFlight = new Int32Array(clients.length);
  const seq = new Int32Array(clients.length);
  let sent = 0;
  let acked = 0;
  let skippedInFlight = 0;
  let ackedInWindow = 0;
  let deliveredInWindow = 0;
  let deliveriesExpected = 0;
  let deliveriesReceived = 0;

  const startAt = performance.now();
  const windowStart = startAt + opts.warmupMs;
  const windowEnd = windowStart + opts.measureMs;
  const inWindowAt = (t: number): boolean => t >= windowStart && t < windowEnd;
  const settle = (id: string, p: Pending): void => {
    if (p.answered && p.received >= p.expected) pending.delete(id);
  };

  const listeners = clients.map((client) => {
    const onMessage = (m: MessageView): void => {
      const now = performance.now();
      if (m.author.id === client.user.id) return;
      const p = pending.get(m.clientMessageId);
      if (!p) return;
      p.received++;
      if (inWindowAt(now)) deliveredInWindow++;
      if (p.inWindow) {
        deliveriesReceived++;
        deliverySamples.add(now - p.sentAt);
      }
      settle(m.clientMessageId, p);
    };
    client.socket.on('message:new', onMessage);
    return onMessage;
  });

  const send = (i: number): void => {
    const client = clients[i]!;
    const id = `${phaseTag}.${i}.${seq[i]!++}`;
    const sentAt = performance.now();
    const p: Pending = { sentAt, inWindow: inWindowAt(sentAt), expected: client.roomSize - 1, received: 0, answered: false };
    pending.set(id, p);
    inFlight[i]!++;
    if (p.inWindow) {
      sent++;
      deliveriesExpected += p.expected;
    }
    client.socket.emit('message:send', { roomId: client.roomId, clientMessageId: id, body }, (ack: Ack<AckOf<'message:send'>>) => {
      const now = performance.now();
      inFlight[i]!--;
      p.answered = true;
      if (ack.ok) {
        if (inWindowAt(now)) ackedInWindow++;
        if (p.inWindow) {
          acked++;
          ackSamples.add(now - sentAt);
          tallyAward(awards, ack.data.award);
        }
      } else {
        refusedByCode[ack.error.code] = (refusedByCode[ack.error.code] ?? 0) + 1;
        if (p.inWindow) deliveriesExpected -= p.expected;
        p.expected = 0;
      }
      settle(id, p);
    });
  };

  const nextAt = Float64Array.from(clients, () => startAt + Math.random() * intervalMs);
  let windowCpu: { at: number; cpuSec: number; elu: EventLoopUtilization } | undefined;
  let serverCpuCores = 0;
  let serverCpuSeconds = 0;
  const cpuNow = (): number => opts.servers.reduce((sum, s) => sum + readCpuSeconds(s.pid), 0);
  let clientEventLoopUtilization = 0;
  await new Promise<void>((resolve, reject) => {
    const tick = (): boolean => {
      const now = performance.now();
      for (const server of opts.servers) {
        const gone = server.exitReason();
        if (gone) throw new Error(`${gone} during ${phaseTag}:\n${server.output()}`);
      }
      if (!windowCpu && now >= windowStart) windowCpu = { at: now, cpuSec: cpuNow(), elu: performance.eventLoopUtilization() };
      if (now >= windowEnd) {
        if (windowCpu) {
          serverCpuSeconds = cpuNow() - windowCpu.cpuSec;
          serverCpuCores = round2(serverCpuSeconds / ((now - windowCpu.at) / 1000));
          clientEventLoopUtilization = round2(performance.eventLoopUtilization(windowCpu.elu).utilization);
        }
        return true;
      }
      for (let i = 0; i < clients.length; i++) {
        for (let n = 0; n < sendsPerTickMax && nextAt[i]! <= now; n++) {
          nextAt[i]! += intervalMs;
          if (inFlight[i]! >= opts.inFlightPerClientMax) skippedInFlight++;
          else send(i);
        }
      }
      return false;
    };
    // A throw here (the server died, /proc unreadable) ends the phase as a failure, never a crash.
    const timer = setInterval(() => {
      try {
        if (!tick()) return;
        clearInterval(timer);
        resolve();
      } catch (err) {
        clearInterval(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    }, tickMs);
  });

  const drainDeadline = performance.now() + opts.drainTimeoutMs;
  const windowOutstanding = (): number => {
    let n = 0;
    for (const p of pending.values()) if (p.inWindow) n++;
    return n;
  };
  while (windowOutstanding() > 0 && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, drainPollMs));

  let lostAcks = 0;
  for (const p of pending.values()) if (p.inWindow && !p.answered) lostAcks++;
  clients.forEach((client, i) => client.socket.off('message:new', listeners[i]!));
  const windowSec = opts.measureMs / 1000;
  const result: LoadPhaseResult = {
    offeredPerSec: opts.totalRatePerSec,
    windowMs: opts.measureMs,
    sent,
    acked,
    refusedByCode,
    lostAcks,
    skippedInFlight,
    ackedPerSec: round1(ackedInWindow / windowSec),
    deliveredPerSec: round1(deliveredInWindow / windowSec),
    deliveriesExpected,
    deliveriesReceived,
    ack: ackSamples.summary(),
    delivery: deliverySamples.summary(),
    awards,
    serverCpuCores,
    serverCpuSeconds: round2(serverCpuSeconds),
    cpuSecondsPer1000Acked: ackedInWindow > 0 ? round3((serverCpuSeconds / ackedInWindow) * 1000) : null,
    clientEventLoopUtilization,
    serverLoopDelay: loopDelayOver(opts.servers.flatMap((s) => s.loopDelaySince(windowStart)).filter((d) => d.at <= windowEnd + 1000)),
  };
  return { result, ackSamples, deliverySamples, ackedInWindow, deliveredInWindow };
}

/**
 * One result from several phases at the same offered load (windows of equal length): counts and
 * samples pooled, rates over the summed windows, CPU and loop busy averaged, loop delay the worst.
 */
export function combinePhases(phases: LoadPhase[]): LoadPhaseResult {
  const first = phases[0];
  if (!first) throw new Error('nothing to combine');
  const ack = new SampleBuffer();
  const delivery = new SampleBuffer();
  const awards: AwardTally = { granted: 0, tokens: 0, refusedByReason: {}, none: 0 };
  const refusedByCode: Record<string, number> = {};
  const sum = (f: (r: LoadPhaseResult) => number): number => phases.reduce((a, p) => a + f(p.result), 0);
  const worst = (f: (r: LoadPhaseResult) => number | null): number | null => {
    const values = phases.map((p) => f(p.result)).filter((v): v is number => v !== null);
    return values.length ? Math.max(...values) : null;
  };
  for (const p of phases) {
    ack.addAll(p.ackSamples);
    delivery.addAll(p.deliverySamples);
    const a = p.result.awards;
    awards.granted += a.granted;
    awards.tokens += a.tokens;
    awards.none += a.none;
    for (const [k, v] of Object.entries(a.refusedByReason)) awards.refusedByReason[k] = (awards.refusedByReason[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.result.refusedByCode)) refusedByCode[k] = (refusedByCode[k] ?? 0) + v;
  }
  const windowMs = sum((r) => r.windowMs);
  const ackedInWindows = phases.reduce((a, p) => a + p.ackedInWindow, 0);
  const cpuSeconds = sum((r) => r.serverCpuSeconds);
  return {
    offeredPerSec: first.result.offeredPerSec,
    windowMs,
    sent: sum((r) => r.sent),
    acked: sum((r) => r.acked),
    refusedByCode,
    lostAcks: sum((r) => r.lostAcks),
    skippedInFlight: sum((r) => r.skippedInFlight),
    ackedPerSec: round1(phases.reduce((a, p) => a + p.ackedInWindow, 0) / (windowMs / 1000)),
    deliveredPerSec: round1(phases.reduce((a, p) => a + p.deliveredInWindow, 0) / (windowMs / 1000)),
    deliveriesExpected: sum((r) => r.deliveriesExpected),
    deliveriesReceived: sum((r) => r.deliveriesReceived),
    ack: ack.summary(),
    delivery: delivery.summary(),
    awards,
    serverCpuCores: round2(sum((r) => r.serverCpuCores) / phases.length),
    serverCpuSeconds: round2(cpuSeconds),
    cpuSecondsPer1000Acked: ackedInWindows > 0 ? round3((cpuSeconds / ackedInWindows) * 1000) : null,
    clientEventLoopUtilization: round2(sum((r) => r.clientEventLoopUtilization) / phases.length),
    serverLoopDelay: { p99MsMax: worst((r) => r.serverLoopDelay.p99MsMax), maxMs: worst((r) => r.serverLoopDelay.maxMs) },
  };
}

function loopDelayOver(samples: Array<{ p99Ms: number; maxMs: number }>): LoadPhaseResult['serverLoopDelay'] {
  if (samples.length === 0) return { p99MsMax: null, maxMs: null };
  return { p99MsMax: Math.max(...samples.map((d) => d.p99Ms)), maxMs: Math.max(...samples.map((d) => d.maxMs)) };
}

function tallyAward(t: AwardTally, award: AckOf<'message:send'>['award']): void {
  if (!award) t.none++;
  else if (award.granted > 0) {
    t.granted++;
    t.tokens += award.granted;
  } else {
    const reason = award.reason ?? 'UNSPECIFIED';
    t.refusedByReason[reason] = (t.refusedByReason[reason] ?? 0) + 1;
  }
}

export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
