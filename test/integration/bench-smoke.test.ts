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

  it('runs every scenario, reports sane figures and writes the JSON with the machine', { timeout: 60_000 }, async () => {
    const result: BenchResult = await runBench({ quick: true, outFile, hardStopMs: 55_000 });

    for (const outcome of [result.relay, result.economy]) {
      expect(outcome.status, JSON.stringify(outcome)).toBe('ok');
      if (outcome.status !== 'ok') continue;
      const { steady, saturation } = outcome.value;
      expect(steady.sent).toBeGreaterThan(0);
      expect(steady.acked).toBe(steady.sent);
      expect(steady.lostAcks).toBe(0);
      expect(steady.ackedPerSec).toBeGreaterThan(0);
      expect(steady.deliveredPerSec).toBeGreaterThan(0);
      expect(steady.deliveriesReceived).toBe(steady.deliveriesExpected);
      ordered(steady.ack);
      ordered(steady.delivery);
      expect(saturation.steps.length).toBeGreaterThan(0);
      for (const step of saturation.steps) expect(step.ackedPerSec).toBeGreaterThan(0);
    }
    for (const ratio of [result.comparison.steadyDeliveredRatio]) {
      expect(ratio).not.toBeNull();
      expect(Number.isFinite(ratio!)).toBe(true);
      expect(ratio!).toBeGreaterThan(0);
    }

    // Gifts: real figures, or an honest "not available" while the server has no gift routes.
    if (result.gifts.status === 'ok') {
      expect(result.gifts.value.giftsCommitted).toBeGreaterThan(0);
      expect(result.gifts.value.committedPerSec).toBeGreaterThan(0);
      expect(result.gifts.value.eventsReceived).toBe(result.gifts.value.eventsExpected);
      ordered(result.gifts.value.received);
      ordered(result.gifts.value.solo.received);
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
    }

    const written = JSON.parse(readFileSync(outFile, 'utf8')) as BenchResult;
    expect(written.date).toBe(result.date);
    expect(written.machine.cores).toBeGreaterThan(0);
    expect(written.machine.totalMemoryBytes).toBeGreaterThan(0);
    expect(written.machine.node).toMatch(/^v\d+\./);
    expect(written.settings.mode).toBe('quick');
    // Quick figures are never judged against the targets: the load is not the default one.
    expect(written.targets.length).toBeGreaterThan(0);
    for (const t of written.targets) expect(t.verdict).toBe('not measured');
  });
});
