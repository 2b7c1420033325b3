import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchResult, ScenarioOutcome } from './runner.js';
import type { LatencySummary } from './samples.js';
import { formatStats } from './trials.js';
import type { LedgerAuditResult } from './ledger-audit.js';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  totalMemoryBytes: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started and ended: other work on a shared machine skews latency. */
  loadAverage1m: { start: number; end: number };
}

export function loadAverage1m(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

export function machineInfo(loadAtStart: number): MachineInfo {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
    node: process.version,
    platform: `${platform()} ${release()}`,
    loadAverage1m: { start: loadAtStart, end: loadAverage1m() },
  };
}

export function writeJson(file: string, result: BenchResult): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}

const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : `${v.toFixed(1)} ms`);
const num = (v: number | null | undefined, unit = ''): string => (v === null || v === undefined ? '-' : `${v.toLocaleString('en-US', { maximumFractionDigits: 1 })}${unit}`);
const kib = (bytes: number | null): string => (bytes === null ? '-' : `${(bytes / 1024).toFixed(1)} KiB`);
const p5099 = (s: LatencySummary): string => `${ms(s.p50Ms)} / ${ms(s.p99Ms)}`;

function unavailable<T>(o: ScenarioOutcome<T>): string | null {
  if (o.status === 'ok') return null;
  return o.status === 'unavailable' ? `not available: ${o.reason}` : `FAILED: ${o.reason.split('\n')[0]}`;
}

/** The stdout table: one block per scenario, figures with units, "not available" spelled out. */
/** An audit that ran to the end passed (a failed one fails its scenario): what it read. */
const audited = (a: LedgerAuditResult): string => `${a.ok ? 'ok' : 'FAILED'} (${num(a.entries)} entries)`;

export function renderTable(r: BenchResult): string {
  const rows: Array<[string, string, string]> = [];
  const row = (scenario: string, metric: string, value: string): void => {
    rows.push([scenario, metric, value]);
  };

  for (const topology of ['embedded', 'redis', 'two-nodes'] as const) {
    const outcome = r.clusters[topology];
    const title = topology === 'embedded' ? '1-2. embedded default' : topology === 'redis' ? '1-2. Redis mode, 1 node' : '1-2. two nodes (Redis adapter)';
    const na = unavailable(outcome);
    if (na || outcome.status !== 'ok') {
      row(title, 'result', na ?? '');
      continue;
    }
    const c = outcome.value;
    row(title, 'setup', `${c.nodes} node(s) per server, ${(c.setupMs / 1000).toFixed(1)} s`);
    for (const l of c.cost.loads) {
      row('', `CPU-s per 1,000 acked at ${num(l.offeredPerSec)} msg/s, relay`, `${formatStats(l.relay, 3)}${l.trialsNotKeptUp ? ` (${l.trialsNotKeptUp} of ${l.trialsRun} trials left out: a server did not keep up)` : ''}`);
      row('', '  economy', formatStats(l.economy, 3));
      row('', '  economy / relay', formatStats(l.ratio));
      row('', '  server cores relay / economy', `${l.relayCores.median} / ${l.economyCores.median}`);
    }
    row('', 'CPU per message economy / relay, every trial', formatStats(c.cost.ratio));
    if (c.steady) {
      for (const label of ['relay', 'economy'] as const) {
        const s = c.steady[label];
        row('', `default load ${num(s.offeredPerSec)} msg/s, ${label}: acked / delivered msg/s`, `${num(s.ackedPerSec)} / ${num(s.deliveredPerSec)}`);
        row('', '  send->ack p50 / p99', p5099(s.ack));
        row('', '  send->delivery p50 / p99', p5099(s.delivery));
        row('', '  lost acks / missing deliveries', `${s.lostAcks} / ${s.deliveriesExpected - s.deliveriesReceived}`);
        row('', '  server loop delay worst p99 / max', `${ms(s.serverLoopDelay.p99MsMax)} / ${ms(s.serverLoopDelay.maxMs)}`);
        const notGranted = Object.entries(s.awards.refusedByReason).map(([reason, n]) => `${n} ${reason}`);
        row('', '  acks with award granted / none / not granted', `${s.awards.granted} / ${s.awards.none} / ${notGranted.length ? notGranted.join(', ') : 0}`);
      }
    }
    const sat = c.saturation;
    row('', 'highest sustained msg/s, relay', `${formatStats(sat.relay, 0)}${sat.limitReached ? '' : ' (every step held: lower bound)'}`);
    row('', '  economy', formatStats(sat.economy, 0));
    row('', '  economy / relay', formatStats(sat.ratio));
    sat.climbs.forEach((climb, t) => {
      for (const label of ['relay', 'economy'] as const) {
        const steps = climb[label].steps.map((st) => `${st.offeredPerSec}:${st.sustained ? 'ok' : 'over'}(${ms(st.p99AckMs)}, cpu ${st.serverCpuCores})`).join(' ');
        row('', `  climb ${t + 1} ${label}: offered:held(p99 ack, cores)`, steps);
      }
    });
    row('', 'ledger audit after the scenario, relay / economy', `${audited(c.ledgerAudit.relay)} / ${audited(c.ledgerAudit.economy)}`);
  }

  const gifts = unavailable(r.gifts);
  if (gifts || r.gifts.status !== 'ok') row('3. gift storm', 'result', gifts ?? '');
  else {
    const g = r.gifts.value;
    row('3. gift storm', 'senders x members (setup)', `${g.senders} x ${g.members} (${(g.setupMs / 1000).toFixed(1)} s)`);
    row('', 'gifts committed / attempted', `${g.giftsCommitted} / ${g.giftsAttempted}`);
    row('', 'gifts committed/s', num(g.committedPerSec));
    row('', 'server CPU per committed gift (storm)', g.serverCpuMsPerGift === null ? 'n/a' : `${num(g.serverCpuMsPerGift)} ms`);
    row('', 'bench client CPU per committed gift (200 member sockets)', g.clientCpuMsPerGift === null ? 'n/a' : `${num(g.clientCpuMsPerGift)} ms`);
    row('', 'send->ack p50 / p99', p5099(g.ack));
    row('', 'send->gift:received p50 / p99', p5099(g.received));
    row('', 'send->first member\'s gift:received p50 / p99 (one per gift)', p5099(g.firstReceived));
    row('', 'events received / expected', `${g.eventsReceived} / ${g.eventsExpected}`);
    row('', 'first gift of a session (scrypt PIN): send->gift:received p50 / p99', `${p5099(g.firstGift.received)} (${g.firstGift.giftsCommitted} gifts, one at a time; ack p50 / p99 ${p5099(g.firstGift.ack)})`);
    row('', 'one gift at a time, PIN verified: send->gift:received p50 / p99', `${p5099(g.solo.received)} (${g.solo.giftsCommitted} gifts)`);
    row('', 'ledger audit after the scenario', audited(g.ledgerAudit));
  }

  const ledger = unavailable(r.ledger);
  if (ledger || r.ledger.status !== 'ok') row('4. ledger', 'result', ledger ?? '');
  else for (const l of r.ledger.value.rows) row('4. ledger', l.label, l.value);

  const conn = unavailable(r.connections);
  if (conn || r.connections.status !== 'ok') row('5. connections', 'result', conn ?? '');
  else {
    const c = r.connections.value;
    row('5. connections', 'idle sockets (users)', `${num(c.sockets)} (${c.users})`);
    row('', 'RSS per connection', kib(c.rssPerConnectionBytes));
    row('', 'V8 heap per connection', kib(c.heapPerConnectionBytes));
    row('', 'connects/s', num(c.connectedPerSec));
    row('', 'ledger audit after the scenario', audited(c.ledgerAudit));
  }

  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((rw) => rw[i]!.length)));
  const line = (rw: [string, string, string]): string => rw.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const header = `token-chat bench (${r.settings.mode}) ${r.date} - ${r.machine.cores} cores, ${(r.machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${r.machine.node}, load ${r.machine.loadAverage1m.start}->${r.machine.loadAverage1m.end}, store ${r.backends.store}, counters ${r.backends.counters}, ${(r.durationMs / 1000).toFixed(1)} s`;
  const targets = r.targets.map((v) => `  ${v.verdict.padEnd(12)} [issue ${v.issue}] ${v.target}: ${v.measured}`);
  return [header, ...rows.map(line), '', 'targets:', ...targets].join('\n');
}
