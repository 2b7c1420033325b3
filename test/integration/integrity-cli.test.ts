import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { openBackend } from '../../server/stores/backend.js';
import { EXIT_NO_DATABASE } from '../../server/cli/existing-backend.js';

/**
 * Issue 9, row 13: the operator commands pointed at a DATA_DIR without a database used to create
 * an empty one and report success. Each now refuses with a message naming the path and exit code
 * 66, and leaves nothing behind; against an existing database they run as before.
 */
const root = join(import.meta.dirname, '../..');
let empty: string;
let existing: string;

function run(script: string, dataDir: string, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(root, 'node_modules/.bin/tsx'),
      [join(root, 'server/cli', script), ...args],
      { cwd: root, env: { ...process.env, DATA_DIR: dataDir, MONGO_URL: '', LOG_LEVEL: 'silent' } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  empty = mkdtempSync(join(tmpdir(), 'tc-cli-empty-'));
  existing = mkdtempSync(join(tmpdir(), 'tc-cli-db-'));
  const backend = await openBackend({ mongoUrl: undefined, dataDir: existing }, pino({ level: 'silent' }));
  await backend.close();
});
afterAll(() => {
  rmSync(empty, { recursive: true, force: true });
  rmSync(existing, { recursive: true, force: true });
});

describe('operator commands refuse a database that does not exist', () => {
  it.each([
    ['ledger-audit.ts', 'ledger:audit', []],
    ['decay.ts', 'economy:decay', []],
    ['make-admin.ts', 'make-admin', ['alice']],
  ] as const)('%s exits 66 with a clear message and creates nothing', async (script, name, args) => {
    const { code, stdout, stderr } = await run(script, join(empty, 'missing'), [...args]);
    expect(code).toBe(EXIT_NO_DATABASE);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${name}: No database at ${join(empty, 'missing', 'chat.sqlite')}`);
    expect(existsSync(join(empty, 'missing'))).toBe(false);
    expect(readdirSync(empty)).toEqual([]);
  }, 30_000);

  it('runs as before against an existing database', async () => {
    const { code, stdout } = await run('ledger-audit.ts', existing);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, entries: 0 });
  }, 30_000);
});
