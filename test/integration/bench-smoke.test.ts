import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench, type BenchResult } from '../../bench/runner.js';
import type { LatencySummary } from '../../bench/samples.js';

/**
 * Runs the quick benchmark end to end (real server children, real sockets) and checks that it
 * works and that its numbers are sane. It never asserts a speed: the machine is shared.
 */
describe('bench --quick (smoke)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-bench-smoke-'));
  const outFile = join(dir, 'latest.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const ordered = (s: LatencySummary): void => {
    expect(s.count).toBeGreaterThan(0);
    expect(s.p50Ms).not.toBeNull();
    expect(s.p50Ms!).toBeGreaterThanOrEqual(0);
    expect(s.p50Ms!).toBeLessThanOrEqual(s.p90Ms!);
    expect(s.p90Ms!).toBeLessThanOrEqual(s.p99Ms!);
    expect(s.p99Ms!).toBeLessThanOrEqual(s.maxMs!);
    expect(s.dropped).toBe(0);
  };

  it('runs every scenario, reports sane figures and writes the JSON with the machine', { timeout: 200_000 }, async () => {
    const result: BenchResult = await runBench({ quick: true, outFile, hardStopMs: 190_000 });

    // Every topology: the embedded default, Redis mode and two nodes (Redis runs on this machine).
    for (const topology of ['embedded', 'redis', 'two-nodes'] as const) {
      const outcome = result.clusters[topology];
      expect(outcome.status, `${topology}: ${JSON.stringify(outcome).slice(0, 2000)}`).toBe('ok');
      if (outcome.status !== 'ok') continue;
      const c = outcome.value;
      expect(c.nodes).toBe(topology === 'two-nodes' ? 2 : 1);
      const trials = topology === 'embedded' ? result.settings.cost.trials : result.settings.clusters.trials;
      for (const load of c.cost.loads) {
        // A trial where a server fell behind (a loaded machine) is left out and counted, never averaged in.
        expect(load.trialsRun).toBe(trials);
        for (const stats of [load.relay, load.economy, load.ratio]) {
          expect(stats.n + load.trialsNotKeptUp).toBe(trials);
          if (stats.n === 0) continue;
          expect(stats.min!).toBeLessThanOrEqual(stats.median!);
          expect(stats.median!).toBeLessThanOrEqual(stats.max!);
          expect(stats.median!).toBeGreaterThan(0);
        }
      }
      expect(c.cost.ratio.n).toBe(c.cost.loads.reduce((n, l) => n + l.ratio.n, 0));
      expect(c.saturation.climbs.length).toBeGreaterThan(0);
      for (const climb of c.saturation.climbs) for (const side of [climb.relay, climb.economy]) for (const step of side.steps) expect(step.ackedPerSec).toBeGreaterThan(0);
    }
    const embedded = result.clusters.embedded.status === 'ok' ? result.clusters.embedded.value : null;
    expect(embedded?.steady).not.toBeNull();
    for (const label of ['relay', 'economy'] as const) {
      const steady = embedded!.steady![label];
      expect(steady.sent).toBeGreaterThan(0);
      expect(steady.acked).toBe(steady.sent);
      expect(steady.lostAcks).toBe(0);
      expect(steady.ackedPerSec).toBeGreaterThan(0);
      expect(steady.deliveredPerSec).toBeGreaterThan(0);
      expect(steady.deliveriesReceived).toBe(steady.deliveriesExpected);
      expect(steady.cpuSecondsPer1000Acked).not.toBeNull();
      ordered(steady.ack);
      ordered(steady.delivery);
    }
    // The economy server's acks carry the award each message earned; the relay's carry none.
    expect(embedded!.steady!.economy.awards.granted).toBe(embedded!.steady!.economy.acked);
    expect(embedded!.steady!.relay.awards.granted).toBe(0);
    // The server's own ledger audit after the scenario: at least one entry per award in the acks.
    expect(embedded!.ledgerAudit.economy.ok).toBe(true);
    expect(embedded!.ledgerAudit.economy.entries).toBeGreaterThanOrEqual(embedded!.steady!.economy.awards.granted);
    expect(embedded!.ledgerAudit.relay.ok).toBe(true);

    // Gifts: real figures, or an honest "not available" while the server has no gift routes.
    if (result.gifts.status === 'ok') {
      expect(result.gifts.value.giftsCommitted).toBeGreaterThan(0);
      expect(result.gifts.value.committedPerSec).toBeGreaterThan(0);
      expect(result.gifts.value.eventsReceived).toBe(result.gifts.value.eventsExpected);
      ordered(result.gifts.value.received);
      ordered(result.gifts.value.solo.received);
      ordered(result.gifts.value.firstGift.received);
      expect(result.gifts.value.firstGift.giftsCommitted).toBe(result.settings.gifts.senders);
      // The server's CPU per gift: the first gifts pay scrypt, so theirs is never zero; the quick
      // storm is too short for /proc's 10 ms ticks to be more than a figure.
      expect(result.gifts.value.firstGift.serverCpuMsPerGift).toBeGreaterThan(0);
      expect(result.gifts.value.serverCpuMsPerGift).not.toBeNull();
      // One first-receipt sample per committed gift, never later than the member receipts' own.
      const storm = result.gifts.value;
      ordered(storm.firstReceived);
      expect(storm.firstReceived.count).toBe(storm.giftsCommitted);
      expect(storm.firstReceived.p99Ms!).toBeLessThanOrEqual(storm.received.maxMs!);
      expect(storm.firstGift.clientCpuMsPerGift).toBeGreaterThan(0);
    } else {
      expect(result.gifts.status).toBe('unavailable');
    }

    expect(result.ledger.status, JSON.stringify(result.ledger)).toBe('ok');
    if (result.ledger.status === 'ok') {
      for (const row of result.ledger.value.raw.rows) expect(row.entriesPerSec).toBeGreaterThan(0);
      for (const r of result.ledger.value.raw.ratios) expect(r.ratio).toBeGreaterThan(0);
    }

    expect(result.connections.status, JSON.stringify(result.connections)).toBe('ok');
    if (result.connections.status === 'ok') {
      const c = result.connections.value;
      expect(c.connectedPerSec).toBeGreaterThan(0);
      expect(c.after.rssBytes).toBeGreaterThan(0);
      expect(Number.isFinite(c.rssPerConnectionBytes)).toBe(true);
      // Every registration is an award: the audit read them.
      expect(c.ledgerAudit.ok).toBe(true);
      expect(c.ledgerAudit.entries).toBeGreaterThanOrEqual(c.users);
    }

    const written = JSON.parse(readFileSync(outFile, 'utf8')) as BenchResult;
    expect(written.date).toBe(result.date);
    expect(written.machine.cores).toBeGreaterThan(0);
    expect(written.machine.totalMemoryBytes).toBeGreaterThan(0);
    expect(written.machine.node).toMatch(/^v\d+\./);
    expect(written.settings.mode).toBe('quick');
    // Quick figures are never judged against the targets: the load is not the default one. The
    // ledger audit is not a figure: it is judged in every run, and every scenario's must pass.
    expect(written.targets.length).toBeGreaterThan(0);
    const isAudit = (t: { target: string }): boolean => t.target.startsWith('no correctness traded');
    for (const t of written.targets.filter((v) => !isAudit(v))) expect(t.verdict).toBe('not measured');
    const audit = written.targets.filter(isAudit);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.verdict, audit[0]!.measured).toBe('met');
    expect(audit[0]!.measured).toMatch(/embedded \(\d+ entries\).*gift storm.*ledger.*connections/);
  });
});
