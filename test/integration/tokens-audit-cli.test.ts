import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { openBackend, type Backend } from '../../server/stores/backend.js';
import { createLedgerStore } from '../../server/stores/ledger.js';
import { earnEntry, giftEntry } from '../../server/ledger/entries.js';
import { newId } from '../../server/lib/ids.js';
import type { DraftInput } from '../../server/ledger/entries.js';

/** `npm run ledger:audit` as an operator runs it: a separate process over the same SQLite file. */
const root = join(import.meta.dirname, '../..');
let dir: string;
let backend: Backend;

function runCli(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(root, 'node_modules/.bin/tsx'),
      [join(root, 'server/cli/ledger-audit.ts')],
      { cwd: root, env: { ...process.env, DATA_DIR: dir, MONGO_URL: '', LOG_LEVEL: 'silent' } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const stamp = (d: DraftInput) => ({ ...d, id: newId(), createdAt: new Date('2026-01-05T12:00:00Z') });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tc-audit-cli-'));
  backend = await openBackend({ mongoUrl: undefined, dataDir: dir }, pino({ level: 'silent' }));
  const store = await createLedgerStore(backend);
  await store.post([stamp(earnEntry('a', 40, { idempotencyKey: 'earn:t:1', activity: 'x' })), stamp(giftEntry('a', 'b', 15, { idempotencyKey: 'gift:a:1' }))]);
});

afterAll(async () => {
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run ledger:audit', () => {
  it('prints an ok report and exits 0 on a healthy ledger', async () => {
    const { code, stdout } = await runCli();
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, entries: 2, minted: 40, burned: 0, userBalanceSum: 40, violations: [] });
  }, 30_000);

  it('exits 1 and names the account when a balance was tampered with', async () => {
    if (backend.kind !== 'sqlite') throw new Error('expected SQLite');
    backend.db.prepare("UPDATE ledger_accounts SET balance = balance + 5 WHERE account = 'user:b'").run();
    const { code, stdout } = await runCli();
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(false);
    expect(report.violations).toContainEqual({ rule: 'balance_mismatch', account: 'user:b', expected: 15, actual: 20 });
  }, 30_000);
});
