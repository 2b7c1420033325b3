import { describe, expect, it } from 'vitest';
import { TIER_IDS } from '../../server/economy/config/schema.js';
import { simulate, type SimReport } from '../../sim/simulate.js';
import { renderCharts } from '../../sim/charts.js';

/** The report without its timings (the only part that may differ between two runs of one seed). */
const untimed = (r: SimReport) => ({ ...r, elapsedMs: 0, cpuMs: 0, shards: r.shards.map((s) => ({ ...s, elapsedMs: 0 })) });

/**
 * Small simulations on the real services, each shard in its own worker thread with its own
 * temporary SQLite ledger, in-process counters and ManualClock; the report checked against every
 * shard's own ledger audit, read by the shard before its world closed.
 */
describe('economy simulator', () => {
  it('reports supply, burned and circulating exactly as the shards\' ledger audits count them', async () => {
    const report = await simulate({ economy: { preset: 'recommended' }, weeks: 2, users: 12, seed: 7, shards: 2, audit: true });

    expect(report.shards).toHaveLength(2);
    expect(report.shards.map((s) => s.users)).toEqual([6, 6]);
    for (const s of report.shards) {
      const audit = s.audit!;
      expect(audit.ok, JSON.stringify(audit.violations)).toBe(true);
      // Per shard: the supply the report gives is that ledger's minted minus burned.
      expect(s.supply).toBe(audit.minted - audit.burned);
      expect(s.minted).toBe(audit.minted);
      expect(s.burned).toBe(audit.burned);
      // Every minted token was earned by a user of the shard's population.
      expect(audit.earnedSum).toBe(audit.minted);
      expect(audit.minted).toBeGreaterThan(0);
    }
    const sum = (pick: (a: NonNullable<SimReport['shards'][number]['audit']>) => number) => report.shards.reduce((n, s) => n + pick(s.audit!), 0);
    const last = report.figures.at(-1)!;
    expect(report.figures).toHaveLength(2);
    // The headline check: the report's supply is the ledgers' minted minus burned, summed.
    expect(last.supply).toBe(sum((a) => a.minted - a.burned));
    expect(last.minted).toBe(sum((a) => a.minted));
    expect(last.burned).toBe(sum((a) => a.burned));
    expect(last.circulating).toBe(sum((a) => a.userBalanceSum));
    expect(report.figures.reduce((n, f) => n + f.mintedThisWeek, 0)).toBe(sum((a) => a.minted));
    // The shoppers bought a cosmetic at the end of week 2: something was burned.
    expect(last.burned).toBeGreaterThan(0);
    for (const f of report.figures) expect(TIER_IDS.reduce((n, t) => n + f.tiers[t], 0)).toBe(12);
    // The seed's average user does exactly 10 messages, 2 files, 1 join and the login a day: week 1 earns at least that base.
    expect(last.earnings.average.users).toBe(report.personas.average);
    expect(report.figures[0]!.earnings.average.min).toBeGreaterThanOrEqual(7 * 31);
    expect(report.targets.map((t) => t.id)).toEqual([
      'average_weekly', 'power_weekly', 'gold_by_week_2', 'platinum_by_week_4', 'afford_cosmetic', 'afford_functional', 'afford_premium', 'no_inflation_spiral',
    ]);
    expect(report.cpuMs).toBeGreaterThan(0);

    const charts = await renderCharts(report);
    expect(charts.map((c) => c.file)).toContain('earnings.svg');
    for (const c of charts) expect(c.svg.startsWith('<svg')).toBe(true);
  }, 180_000);

  it('is deterministic: the same seed and shard count give the same report; a worker runs a shard as the main thread does', async () => {
    const run = (shards: number) => simulate({ economy: { preset: 'current' }, weeks: 1, users: 8, seed: 42, shards });
    const [a, b] = [await run(2), await run(2)];
    expect(untimed(b)).toEqual(untimed(a));
    expect(a.gifts.sent).toBeGreaterThan(0);
    // One shard in a worker thread and one world in this thread: the same run.
    const [inWorker, inThread] = [await run(1), await run(0)];
    expect(untimed(inWorker)).toEqual(untimed(inThread));
  }, 180_000);
});
