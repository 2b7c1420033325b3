import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../support/http.js';

/** server/main.ts as an operator runs it: a separate process, its economy config from a file. */
const root = join(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');
let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tc-main-'));
  file = join(dir, 'economy.json');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, MONGO_URL: '', REDIS_URL: '', LOG_LEVEL: 'silent', ECONOMY_OVERRIDES_FILE: file });

describe('server/main.ts and the economy config', () => {
  it('refuses to start on an invalid economy config: exit 78 with a message naming the setting', async () => {
    writeFileSync(file, JSON.stringify({ caps: { weeklyTotalTokens: 0 } }));
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(tsx, [join(root, 'server/main.ts')], { cwd: root, env: env() }, (err, _stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }));
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('ECONOMY_OVERRIDES_FILE');
    expect(result.stderr).toContain('caps.weeklyTotalTokens');
  });

  it('SIGHUP re-reads the overrides file; a bad file keeps the active config', async () => {
    writeFileSync(file, JSON.stringify({ caps: { dailyTotalTokens: 300 } }));
    // node itself (not the tsx wrapper), so that SIGHUP reaches the server process.
    // Warnings on: the refused reload's log line is what the test waits for.
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/main.ts')], { cwd: root, env: { ...env(), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 15_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const config = () => client(url).get('/api/economy/config').then((r) => r.body as { version: number; config: { caps: { dailyTotalTokens: number } } });
      expect(await config()).toMatchObject({ version: 1, config: { caps: { dailyTotalTokens: 300 } } });

      const until = async (version: number): Promise<void> => {
        for (let i = 0; i < 100 && (await config()).version !== version; i++) await new Promise((r) => setTimeout(r, 20));
      };
      writeFileSync(file, JSON.stringify({ caps: { dailyTotalTokens: 350 } }));
      child.kill('SIGHUP');
      await until(2);
      expect(await config()).toMatchObject({ version: 2, config: { caps: { dailyTotalTokens: 350 } } });

      writeFileSync(file, '{ not json');
      // The refusal's own log line proves the bad reload was handled (not a pause that hopes so).
      const refused = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reload-refused log line')), 10_000);
        child.stdout.on('data', (chunk: Buffer) => {
          if (!chunk.toString().includes('economy config reload refused')) return;
          clearTimeout(timer);
          resolve();
        });
      });
      child.kill('SIGHUP');
      await refused;
      expect(await config()).toMatchObject({ version: 2, config: { caps: { dailyTotalTokens: 350 } } });
      writeFileSync(file, JSON.stringify({ caps: { dailyTotalTokens: 360 } }));
      child.kill('SIGHUP');
      await until(3);
      expect(await config()).toMatchObject({ version: 3, config: { caps: { dailyTotalTokens: 360 } } });
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
  }, 30_000);
});
