import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm run verify:mongo`: the first thing to run on a machine with Docker. MongoDB cannot run on
 * the build machines, so the MongoDB adapters were written against its documented semantics and
 * checked on the wire only; this runs them for real:
 *   1. starts the compose replica set (docker-compose.yml's `mongo`, published on loopback by
 *      deploy/verify-mongo.compose.yml) under its own project name, so a running stack is left alone;
 *   2. runs every store contract suite against it (test/contract/, MONGO_URL set), which includes
 *      the ledger races from a second connection;
 *   3. runs `npm run bench:ledger` against it (SQLite and MongoDB figures side by side);
 *   4. prints one verdict line and exits 0 only when every step passed, then removes the stack.
 * Without Docker (CLI, compose plugin or a reachable engine) it says which is missing and exits 3.
 */

export const EXIT_NO_DOCKER = 3;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PROJECT = 'token-chat-verify';

export interface StepResult {
  name: string;
  ok: boolean;
  detail: string;
}

type Run = (cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv; inherit?: boolean }) => SpawnSyncReturns<string>;

const run: Run = (cmd, args, opts = {}) =>
  spawnSync(cmd, args, { cwd: ROOT, env: opts.env ?? process.env, encoding: 'utf8', stdio: opts.inherit ? ['ignore', 'inherit', 'inherit'] : 'pipe', maxBuffer: 64 * 1024 * 1024 });

/** Why Docker cannot be used here, or null when the CLI, compose and the engine all answer. */
export function dockerProblem(docker: string, runner: Run = run): string | null {
  const version = runner(docker, ['--version']);
  if (version.error) return `the docker CLI was not found (${docker}: ${(version.error as NodeJS.ErrnoException).code ?? version.error.message}); install Docker to run verify:mongo`;
  if (runner(docker, ['compose', 'version']).status !== 0) return 'the Docker Compose plugin is missing (`docker compose version` failed); install docker-compose-plugin';
  const info = runner(docker, ['info', '--format', '{{.ServerVersion}}']);
  if (info.status !== 0) return `the Docker engine is not reachable (\`docker info\` failed: ${firstLine(info.stderr) || 'no answer'}); start the Docker daemon`;
  return null;
}

const firstLine = (text: string | null | undefined): string => (text ?? '').split('\n').find((l) => l.trim().length > 0)?.trim() ?? '';

/** The one line a reader looks for: PASS only when every step passed. */
export function verdict(steps: readonly StepResult[]): string {
  const failed = steps.filter((s) => !s.ok);
  if (steps.length === 0) return 'verify:mongo VERDICT: NOT RUN';
  return failed.length === 0 ? `verify:mongo VERDICT: PASS (${steps.map((s) => s.name).join(', ')})` : `verify:mongo VERDICT: FAIL (${failed.map((s) => `${s.name}: ${s.detail}`).join('; ')})`;
}

function main(): number {
  const docker = process.env['VERIFY_DOCKER'] ?? 'docker';
  const problem = dockerProblem(docker);
  if (problem) {
    console.error(`verify:mongo cannot run: ${problem}.`);
    console.error('Nothing was verified against MongoDB; the MongoDB adapters remain checked on the wire only (docs/record-stores.md).');
    return EXIT_NO_DOCKER;
  }
  const port = process.env['VERIFY_MONGO_PORT'] ?? '27018';
  const compose = ['compose', '-p', PROJECT, '-f', 'docker-compose.yml', '-f', 'deploy/verify-mongo.compose.yml'];
  // The compose file requires JWT_SECRET for the server service; only mongo starts here.
  const env = { ...process.env, JWT_SECRET: process.env['JWT_SECRET'] ?? 'verify-mongo-only-no-server-is-started-here', VERIFY_MONGO_PORT: port };
  const steps: StepResult[] = [];
  const step = (name: string, ok: boolean, detail: string): boolean => {
    steps.push({ name, ok, detail });
    console.log(`[verify:mongo] ${name}: ${ok ? 'ok' : 'FAILED'}${detail ? ` (${detail})` : ''}`);
    return ok;
  };
  try {
    const up = run(docker, [...compose, 'up', '-d', '--wait', 'mongo'], { env, inherit: true });
    if (!step('replica set', up.status === 0, up.status === 0 ? `127.0.0.1:${port}` : `compose up exited ${up.status}`)) return 1;
    const mongoUrl = `mongodb://127.0.0.1:${port}/tc_verify?directConnection=true`;
    const testEnv = { ...process.env, MONGO_URL: mongoUrl };
    const contracts = run(process.execPath, [resolve(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'test/contract/'], { env: testEnv });
    process.stdout.write(contracts.stdout ?? '');
    process.stderr.write(contracts.stderr ?? '');
    const skipped = /MongoDB half[: ]*SKIPPED/i.test(`${contracts.stdout}${contracts.stderr}`);
    step('contract suites + ledger races', contracts.status === 0 && !skipped, skipped ? 'the MongoDB half was skipped' : contracts.status === 0 ? '' : `vitest exited ${contracts.status}`);
    const bench = run('npm', ['run', 'bench:ledger'], { env: testEnv });
    process.stdout.write(bench.stdout ?? '');
    const measured = /mongodb\s+(single|batched)/.test(bench.stdout ?? '');
    step('bench:ledger', bench.status === 0 && measured, measured ? '' : 'MongoDB was not measured');
  } finally {
    if (process.env['VERIFY_KEEP'] !== '1') run(docker, [...compose, 'down', '-v'], { env });
    console.log(verdict(steps));
  }
  return steps.every((s) => s.ok) ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exit(main());
