import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runBench, renderTable, SCENARIOS } from './runner.js';
import { killAllServers, repoRoot } from './server-process.js';

/**
 * `npm run bench [-- --quick] [-- --profile] [-- --only=embedded,gifts]`: runs every scenario (or those named), prints the table and writes
 * bench/results/latest.json. `--profile` also writes V8 CPU profiles of the embedded relay, economy and
 * gift servers under the system temp directory (the path is printed). Exit status 1 when a scenario failed (a scenario that is
 * merely not available on this server does not fail the run).
 */
async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  let only: Set<string> | undefined;
  for (const a of args) {
    if (a.startsWith('--only=')) {
      only = new Set(a.slice('--only='.length).split(','));
      for (const name of only) if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario ${name} (use ${SCENARIOS.join(', ')})`);
      args.delete(a);
    } else if (!['--quick', '--profile'].includes(a)) throw new Error(`unknown option ${a} (use --quick, --profile, --only=a,b)`);
  }
  const outFile = join(repoRoot, 'bench/results/latest.json');
  // Outside the repository: profiles are large and not meant to be committed.
  const profileDir = join(tmpdir(), `tc-bench-profiles-${Date.now()}`);
  const result = await runBench({
    quick: args.has('--quick'),
    ...(only ? { only } : {}),
    outFile,
    ...(args.has('--profile') ? { cpuProfileDir: profileDir } : {}),
    log: (line) => process.stderr.write(`[bench] ${line}\n`),
  });
  console.log(renderTable(result));
  console.log(`\nwritten: ${outFile}`);
  if (args.has('--profile')) console.log(`CPU profiles: ${profileDir}/{relay,economy,gifts} (summarize: npx tsx bench/profile-summary.ts <files>)`);
  const failed = [...Object.values(result.clusters), result.gifts, result.ledger, result.connections].some((o) => o.status === 'failed');
  process.exitCode = failed ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllServers();
    process.exit(130);
  });
}

main().catch((err: unknown) => {
  killAllServers();
  console.error('bench failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
