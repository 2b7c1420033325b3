import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TIER_IDS } from '../server/economy/config/schema.js';
import type { Chart } from './charts.js';
import { PERSONAS } from './personas.js';
import type { SimReport } from './simulate.js';
import type { TargetResult } from './targets.js';

const MARK: Record<TargetResult['status'], string> = { met: 'met', missed: '**missed**', 'not measured': 'not measured' };

/** The target table in markdown (also what the CLI prints). */
export function targetTable(targets: readonly TargetResult[]): string {
  return ['| seed target | measured | verdict |', '| --- | --- | --- |', ...targets.map((t) => `| ${t.target} | ${t.measured} | ${MARK[t.status]} |`)].join('\n');
}

function earningsTable(r: SimReport): string {
  const weeks = r.figures.map((f) => f.week);
  const rows = PERSONAS.filter((p) => r.personas[p] > 0).map((p) => `| ${p} (${r.personas[p]}) | ${r.figures.map((f) => `${f.earnings[p].median} (${f.earnings[p].min}-${f.earnings[p].max})`).join(' | ')} |`);
  return [`| persona (users) | ${weeks.map((w) => `week ${w}`).join(' | ')} |`, `| --- | ${weeks.map(() => '---').join(' | ')} |`, ...rows].join('\n');
}

function economyTable(r: SimReport): string {
  const head = `| week | minted | burned | supply (minted - burned) | circulating (sum of balances) | inflation rate | median balance | ${TIER_IDS.join(' | ')} |`;
  const rows = r.figures.map(
    (f) =>
      `| ${f.week} | ${f.minted} | ${f.burned} | ${f.supply} | ${f.circulating} | ${f.inflationRatePct === null ? 'n/a' : `${f.inflationRatePct}%`} | ${f.medianBalance} | ${TIER_IDS.map((t) => f.tiers[t]).join(' | ')} |`,
  );
  return [head, `|${' --- |'.repeat(7 + TIER_IDS.length)}`, ...rows].join('\n');
}

/** Tiers per persona at the end of the run: shows who a balance-based tier demotes (the shopper). */
function tiersByPersonaTable(r: SimReport): string {
  const last = r.figures.at(-1);
  if (!last) return '';
  const rows = PERSONAS.filter((p) => r.personas[p] > 0).map((p) => `| ${p} | ${TIER_IDS.map((t) => last.tiersByPersona[p][t]).join(' | ')} |`);
  return [`| persona (end of week ${last.week}) | ${TIER_IDS.join(' | ')} |`, `|${' --- |'.repeat(1 + TIER_IDS.length)}`, ...rows].join('\n');
}

function shardsTable(r: SimReport): string {
  const rows = r.shards.map((s, i) => `| ${i + 1} | ${s.users} | ${s.minted} | ${s.burned} | ${s.supply} | ${(s.elapsedMs / 1000).toFixed(1)} s |`);
  const total = `| all | ${r.users} | ${r.shards.reduce((n, s) => n + s.minted, 0)} | ${r.shards.reduce((n, s) => n + s.burned, 0)} | ${r.shards.reduce((n, s) => n + s.supply, 0)} | ${(r.elapsedMs / 1000).toFixed(1)} s |`;
  return ['| shard | users | minted | burned | supply | wall time |', '| --- | --- | --- | --- | --- | --- |', ...rows, total].join('\n');
}

function spendingLines(r: SimReport): string[] {
  const lines = [`- Gifts: ${r.gifts.sent} sent (${r.gifts.tokens} tokens); refused: ${JSON.stringify(r.gifts.refused)}.`];
  for (const [persona, byClass] of Object.entries(r.purchases)) {
    for (const [itemClass, s] of Object.entries(byClass ?? {})) {
      lines.push(`- ${persona} ${itemClass} purchases: ${s.bought} of ${s.attempted} made; refused: ${JSON.stringify(s.refused)}.`);
    }
  }
  return lines;
}

/** The markdown summary that links the charts. */
export function summaryMarkdown(r: SimReport, charts: readonly Chart[]): string {
  return [
    `# Economy simulation: preset \`${r.preset}\`${r.overridesFile ? ` with ${r.overridesFile}` : ''}`,
    '',
    `${r.users} users x ${r.weeks} weeks from ${r.startsAt.slice(0, 10)}, seed ${r.seed}, tier basis \`${r.tierBasis}\`; ${r.shards.length} shard(s); ran in ${(r.elapsedMs / 1000).toFixed(1)} s wall, ${(r.cpuMs / 1000).toFixed(1)} s CPU.`,
    `Personas: ${PERSONAS.map((p) => `${p} ${r.personas[p]}`).join(', ')}.`,
    '',
    '## Seed targets',
    '',
    targetTable(r.targets),
    '',
    '## Weekly earnings per persona (tokens earned in the week: median (min-max))',
    '',
    earningsTable(r),
    '',
    '## Supply, burned, circulating, inflation, median balance, tiers (end of each week)',
    '',
    economyTable(r),
    '',
    tiersByPersonaTable(r),
    '',
    '## Shards (each its own ledger; gift partners are drawn within a shard)',
    '',
    shardsTable(r),
    '',
    '## Gifts and purchases',
    '',
    ...spendingLines(r),
    '',
    '## Charts',
    '',
    ...charts.map((c) => `- [${c.title}](charts/${c.file})\n\n  ![${c.title}](charts/${c.file})`),
    '',
  ].join('\n');
}

/** Writes summary.md, report.json and charts/*.svg into `dir`; returns the summary's path. */
export function writeReport(dir: string, r: SimReport, charts: readonly Chart[]): string {
  mkdirSync(join(dir, 'charts'), { recursive: true });
  for (const c of charts) writeFileSync(join(dir, 'charts', c.file), c.svg);
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(r, null, 2)}\n`);
  const summary = join(dir, 'summary.md');
  writeFileSync(summary, summaryMarkdown(r, charts));
  return summary;
}
