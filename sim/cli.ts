import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderCharts } from './charts.js';
import { targetTable, writeReport } from './report.js';
import { simulate } from './simulate.js';
import type { EconomyChoice } from './world.js';
import type { EconomyPreset } from '../server/economy/config/schema.js';
import { PRESETS } from '../server/economy/config/presets.js';

/**
 * `npm run simulate -- [--preset current|recommended|balanced|<file>] [--weeks 8] [--users 500]
 * [--seed 42] [--out reports/simulation]`. A <file> is a JSON economy overrides file (as
 * ECONOMY_OVERRIDES_FILE takes) on top of the preset it names in `"preset"` (default current).
 */
const USAGE = 'usage: npm run simulate -- [--preset current|recommended|balanced|<overrides.json>] [--weeks 8] [--users 500] [--seed 42] [--out reports/simulation]';

function positiveInt(name: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be a whole number from 1 to ${max} (got ${raw})\n${USAGE}`);
  return n;
}

function economyChoice(preset: string): EconomyChoice {
  if (preset in PRESETS) return { preset: preset as EconomyPreset };
  if (!existsSync(preset)) throw new Error(`--preset: ${preset} is neither a preset (${Object.keys(PRESETS).join(', ')}) nor a file\n${USAGE}`);
  const named: unknown = (JSON.parse(readFileSync(preset, 'utf8')) as { preset?: unknown }).preset;
  const base = typeof named === 'string' && named in PRESETS ? (named as EconomyPreset) : 'current';
  return { preset: base, overridesFile: preset };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string', default: 'current' },
      weeks: { type: 'string', default: '8' },
      users: { type: 'string', default: '500' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: 'reports/simulation' },
    },
  });
  const opts = {
    economy: economyChoice(values.preset),
    weeks: positiveInt('weeks', values.weeks, 52),
    users: positiveInt('users', values.users, 100_000),
    seed: positiveInt('seed', values.seed, 2 ** 31),
  };
  process.stderr.write(`simulating ${opts.users} users x ${opts.weeks} weeks, preset ${values.preset}, seed ${opts.seed} ...\n`);
  const report = await simulate({
    ...opts,
    onWeek: (f, ms) => process.stderr.write(`week ${f.week}: minted ${f.minted}, burned ${f.burned}, median balance ${f.medianBalance} (${(ms / 1000).toFixed(0)} s)\n`),
  });
  const charts = await renderCharts(report);
  const summary = writeReport(values.out, report, charts);
  process.stdout.write(`\n${targetTable(report.targets)}\n\n`);
  process.stdout.write(`${opts.users} users x ${opts.weeks} weeks in ${(report.elapsedMs / 1000).toFixed(1)} s (tier basis ${report.tierBasis}); report: ${summary}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
