import { describe, expect, it } from 'vitest';
import { TIER_IDS } from '../../server/economy/config/schema.js';
import { ISSUANCE, SINK } from '../../server/ledger/ports.js';
import { simulate, type SimReport } from '../../sim/simulate.js';
import { renderCharts } from '../../sim/charts.js';
import type { SimWorld } from '../../sim/world.js';

/**
 * A small simulation on the real services (a temporary SQLite ledger, in-process counters, a
 * ManualClock), its report checked against the ledger's own totals read before the world closes.
 */
describe('economy simulator', () => {
  it('reports supply, burned and circulating exactly as the ledger audit counts them', async () => {
    let audit: Awaited<ReturnType<SimWorld['ctx']['ledger']['audit']>> | undefined;
    let flows: Record<string, number> = {};
    let earnedSum = 0;
    const report: SimReport = await simulate({ economy: { preset: 'recommended' }, weeks: 2, users: 8, seed: 7 }, async (world) => {
      await world.ctx.ledger.flush();
      audit = await world.ctx.ledger.audit();
      flows = await world.ctx.ledger.queries.netFlows([ISSUANCE, SINK]);
      const top = await world.ctx.ledger.queries.topAccounts({ by: 'totalEarned', limit: 100 });
      earnedSum = top.reduce((n, a) => n + a.account.totalEarned, 0);
    });

    expect(audit!.ok, JSON.stringify(audit!.violations)).toBe(true);
    const last = report.figures.at(-1)!;
    expect(report.figures).toHaveLength(2);
    // The headline check: the report's supply is the ledger's minted minus burned.
    expect(last.supply).toBe(audit!.minted - audit!.burned);
    expect(last.minted).toBe(audit!.minted);
    expect(last.burned).toBe(audit!.burned);
    expect(last.circulating).toBe(audit!.userBalanceSum);
    expect(-(flows[ISSUANCE] ?? 0)).toBe(audit!.minted);
    // Every minted token was earned by a user of the population, and the weeks add up to it.
    expect(earnedSum).toBe(audit!.minted);
    expect(report.figures.reduce((n, f) => n + f.mintedThisWeek, 0)).toBe(audit!.minted);
    expect(audit!.minted).toBeGreaterThan(0);
    // The shopper bought a cosmetic at the end of week 2: something was burned.
    expect(last.burned).toBeGreaterThan(0);
    for (const f of report.figures) expect(TIER_IDS.reduce((n, t) => n + f.tiers[t], 0)).toBe(8);
    // The seed's average user does exactly 10 messages, 2 files, 1 join and the login a day: week 1 earns at least that base.
    expect(last.earnings.average.users).toBeGreaterThan(0);
    expect(report.figures[0]!.earnings.average.min).toBeGreaterThanOrEqual(7 * 31);
    expect(report.targets.map((t) => t.id)).toEqual([
      'average_weekly', 'power_weekly', 'gold_by_week_2', 'platinum_by_week_4', 'afford_cosmetic', 'afford_functional', 'afford_premium', 'no_inflation_spiral',
    ]);

    const charts = await renderCharts(report);
    expect(charts.map((c) => c.file)).toContain('earnings.svg');
    for (const c of charts) expect(c.svg.startsWith('<svg')).toBe(true);
  }, 120_000);

  it('is deterministic: the same seed gives the same figures', async () => {
    const run = () => simulate({ economy: { preset: 'current' }, weeks: 1, users: 6, seed: 42 });
    const [a, b] = [await run(), await run()];
    expect(b.figures).toEqual(a.figures);
    expect(b.gifts).toEqual(a.gifts);
  }, 120_000);
});
