import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDb } from '../../server/stores/sqlite/db.js';
import { INLINE_AUTOCHECKPOINT_PAGES, startWalCheckpoints, type CheckpointPass, type WalCheckpoints } from '../../server/stores/sqlite/wal-checkpoints.js';

/**
 * The background WAL checkpoints (issue 16): a real database file, a real worker thread with its
 * own connection. Waits are for the thread's reports, with a bound on the writes, never a sleep.
 */
const dirs: string[] = [];
const open: Array<{ db: SqliteDb; checkpoints: WalCheckpoints }> = [];
afterEach(async () => {
  for (const { db, checkpoints } of open.splice(0)) {
    await checkpoints.stop();
    if (db.open) db.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const quietLogger = { warn: () => undefined };

function setUp(opts: { startBytes: number; driver?: string; logger?: { warn: (...args: unknown[]) => void }; fallbackPages?: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'wal-checkpoints-'));
  dirs.push(dir);
  const file = join(dir, 'chat.sqlite');
  const db = openSqlite(file);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE INDEX t_v ON t (v)');
  // The timer is kept out of the way (an hour): each test looks at the WAL with pollNow().
  const checkpoints = startWalCheckpoints({ db, file, logger: opts.logger ?? quietLogger, startBytes: opts.startBytes, pollMs: 3_600_000, intervalMs: 5, ...(opts.driver ? { driver: opts.driver } : {}), ...(opts.fallbackPages ? { fallbackPages: opts.fallbackPages } : {}) });
  open.push({ db, checkpoints });
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  let written = 0;
  const writeTxn = db.transaction((rows: number) => {
    for (let i = 0; i < rows; i++) insert.run(`row ${++written} ${'x'.repeat(200)}`);
  });
  const count = (): number => (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
  return { db, file, checkpoints, writeTxn, written: () => written, count };
}

/** Writes small transactions, yielding to the event loop after each, until `done()` or the bound. */
async function writeUntil(writeTxn: (rows: number) => void, done: () => boolean, maxTxns = 20_000): Promise<void> {
  for (let i = 0; i < maxTxns && !done(); i++) {
    writeTxn(10);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const autocheckpoint = (db: SqliteDb): number => db.pragma('wal_autocheckpoint', { simple: true }) as number;

describe('background WAL checkpoints (SQLite)', () => {
  it('stays inline while the WAL is small: no thread for an app that writes little', async () => {
    const { db, checkpoints, writeTxn } = setUp({ startBytes: 64 << 20 });
    writeTxn(50);
    await checkpoints.pollNow();
    expect(checkpoints.state()).toBe('idle');
    expect(autocheckpoint(db)).toBe(INLINE_AUTOCHECKPOINT_PAGES);
  });

  it('starts once the WAL passes its threshold, copies every frame on its own thread, and the WAL restarts', async () => {
    const { db, file, checkpoints, writeTxn, written, count } = setUp({ startBytes: 256 << 10 });
    await writeUntil(writeTxn, () => statSync(`${file}-wal`).size >= 256 << 10);
    await checkpoints.pollNow();
    expect(checkpoints.state()).toBe('running');
    // The main connection no longer checkpoints at SQLite's 1,000 frames, only at the ceiling.
    expect(autocheckpoint(db)).toBe(4000);

    const passes: CheckpointPass[] = [];
    checkpoints.onPass((p) => passes.push(p));
    let copiedAll = false;
    let restarted = false;
    let longest = 0;
    checkpoints.onPass((p) => {
      if (p.log > 0 && p.checkpointed === p.log) copiedAll = true;
      // A shorter log than one seen before: the WAL started again from its beginning, and the
      // main connection cannot have done it (it checkpoints only past 4,000 frames).
      if (p.log < longest) restarted = true;
      longest = Math.max(longest, p.log);
    });
    await writeUntil(writeTxn, () => copiedAll && restarted);
    expect(copiedAll).toBe(true);
    expect(restarted).toBe(true);
    expect(Math.max(...passes.map((p) => p.log))).toBeLessThan(4000);
    expect(count()).toBe(written());
  });

  it('stop closes the thread connection, so closing the main one removes the WAL; nothing written is lost', async () => {
    const { db, file, checkpoints, writeTxn, written } = setUp({ startBytes: 0 });
    writeTxn(10);
    await checkpoints.pollNow();
    expect(checkpoints.state()).toBe('running');
    let passed = false;
    checkpoints.onPass(() => (passed = true));
    await writeUntil(writeTxn, () => passed);
    expect(passed).toBe(true);
    await checkpoints.stop();
    expect(checkpoints.state()).toBe('stopped');
    db.close();
    // SQLite deletes the WAL when the last connection to the file closes: the thread's is gone.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = openSqlite(file);
    try {
      expect((reopened.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(written());
    } finally {
      reopened.close();
    }
  });

  it('when the thread cannot start, the main connection takes its inline checkpoints back and says so', async () => {
    const warned: unknown[][] = [];
    let onWarn: () => void = () => undefined;
    const warnedOnce = new Promise<void>((resolve) => (onWarn = resolve));
    const logger = { warn: (...args: unknown[]) => (warned.push(args), onWarn()) };
    const { db, checkpoints, writeTxn, written, count } = setUp({ startBytes: 0, driver: join(tmpdir(), 'no-such-driver', 'better-sqlite3.js'), logger });
    writeTxn(10);
    await checkpoints.pollNow();
    await warnedOnce;
    expect(checkpoints.state()).toBe('failed');
    expect(autocheckpoint(db)).toBe(INLINE_AUTOCHECKPOINT_PAGES);
    expect(JSON.stringify(warned[0])).toContain('checkpoint');
    // Writing goes on as before.
    writeTxn(10);
    expect(count()).toBe(written());
  });
});
