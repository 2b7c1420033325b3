import { execFile, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_NO_DOCKER, dockerProblem, verdict } from '../../bench/verify-mongo.js';

/**
 * `npm run verify:mongo` cannot run here (no Docker engine): what is checked is that it refuses
 * clearly, naming what is missing, and how it reads the steps into a verdict.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const answer = (status: number, stderr = ''): SpawnSyncReturns<string> => ({ pid: 1, output: [], stdout: '', stderr, status, signal: null });

describe('verify:mongo', () => {
  it('exits with its own code and a clear message when the docker CLI is missing', async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'bench/verify-mongo.ts'], { cwd: ROOT, env: { ...process.env, VERIFY_DOCKER: '/nonexistent/docker' } }, (err, _out, stderr) =>
        resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }),
      );
    });
    expect(result.code).toBe(EXIT_NO_DOCKER);
    expect(result.stderr).toContain('verify:mongo cannot run: the docker CLI was not found');
    expect(result.stderr).toContain('Nothing was verified against MongoDB');
  });

  it('names the missing compose plugin, or the unreachable engine', () => {
    const calls: string[][] = [];
    const runner = (results: Record<string, SpawnSyncReturns<string>>) => (_cmd: string, args: string[]) => {
      calls.push(args);
      return results[args[0]!] ?? answer(0);
    };
    expect(dockerProblem('docker', runner({ compose: answer(1) }))).toMatch(/Compose plugin is missing/);
    expect(dockerProblem('docker', runner({ info: answer(1, '\nCannot connect to the Docker daemon\n') }))).toMatch(/engine is not reachable .*Cannot connect to the Docker daemon/);
    expect(dockerProblem('docker', runner({}))).toBeNull();
  });

  it('passes only when every step passed', () => {
    expect(verdict([])).toBe('verify:mongo VERDICT: NOT RUN');
    expect(verdict([{ name: 'a', ok: true, detail: '' }, { name: 'b', ok: true, detail: '' }])).toBe('verify:mongo VERDICT: PASS (a, b)');
    expect(verdict([{ name: 'a', ok: true, detail: '' }, { name: 'b', ok: false, detail: 'the MongoDB half was skipped' }])).toBe('verify:mongo VERDICT: FAIL (b: the MongoDB half was skipped)');
  });
});
