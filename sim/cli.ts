import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderCharts } from './charts.js';
import { targetTable, writeReport } from './report.js';
import { defaultShards, simulate } from './simulate.js';
import type { EconomyChoice } from './world.js';
import type { EconomyPreset } from '../server/economy/config/schema.js';
import { PRESETS } from '../server/economy/config/presets.js';

/**
 * `npm run simulate -- [--preset current|recommended|balanced|<file>] [--weeks 8] [--users 500]
 * [--seed 42] [--shards <cores>] [--out reports/simulation]`. A <file> is a JSON economy
 * overrides file (as ECONOMY_OVERRIDES_FILE takes) on top of the preset it names in `"preset"`
 * (default current). `--shards` splits the population over that many worlds, one worker thread
 * each (default: one per core); 0 runs one world in the main thread.
 */
const USAGE =
  'usage: npm run simulate -- [--preset current|recommended|balanced|<overrides.json>] [--weeks 8] [--users 500] [--seed 42] [--shards <cores>] [--out reports/simulation]';

function wholeNumber(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max} (got ${raw})\n${USAGE}`);
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
      shards: { type: 'string' },
      out: { type: 'string', default: 'reports/simulation' },
    },
  });
  const users = wholeNumber('users', values.users, 1, 100_000);
  const opts = {
    economy: economyChoice(values.preset),
    weeks: wholeNumber('weeks', values.weeks, 1, 52),
    users,
    seed: wholeNumber('seed', values.seed, 1, 2 ** 31),
    shards: values.shards === undefined ? defaultShards(users) : wholeNumber('shards', values.shards, 0, users),
  };
  const worlds = opts.shards === 0 ? 'one world in the main thread' : `${opts.shards} world(s) in worker threads`;
  process.stderr.write(`simulating ${opts.users} users x ${opts.weeks} weeks, preset ${values.preset}, seed ${opts.seed}, ${worlds} ...\n`);
  const report = await simulate({
    ...opts,
    onWeek: (f, ms) => process.stderr.write(`week ${f.week}: minted ${f.minted}, burned ${f.burned}, median balance ${f.medianBalance} (${(ms / 1000).toFixed(0)} s)\n`),
  });
  const charts = await renderCharts(report);
  const summary = writeReport(values.out, report, charts);
  process.stdout.write(`\n${targetTable(report.targets)}\n\n`);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const cpu = process.cpuUsage();
  process.stdout.write(
    `${opts.users} users x ${opts.weeks} weeks on ${worlds}: ${seconds(report.elapsedMs)} wall, ${seconds(report.cpuMs)} CPU (tier basis ${report.tierBasis}); report: ${summary}\n` +
      `whole command (startup and charts included): ${seconds(process.uptime() * 1000)} wall, ${seconds((cpu.user + cpu.system) / 1000)} CPU\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
