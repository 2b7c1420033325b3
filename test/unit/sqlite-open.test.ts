import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDb } from '../../server/stores/sqlite/db.js';

const dirs: string[] = [];
const dbs: SqliteDb[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(): SqliteDb {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-open-'));
  dirs.push(dir);
  const db = openSqlite(join(dir, 'chat.sqlite'));
  dbs.push(db);
  return db;
}

describe('openSqlite', () => {
  it('runs in WAL mode with the settings the stores rely on', () => {
    const db = open();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    // Temporary files (above all the statement journal of multi-row writes) in memory: issue 16.
    expect(db.pragma('temp_store', { simple: true })).toBe(2); // MEMORY
  });

  it('still undoes a multi-row statement alone when it fails half-way inside a transaction (the statement journal, now in memory)', () => {
    const db = open();
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
    const insertOne = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const insertThree = db.prepare('INSERT INTO t (k, v) VALUES (?, ?), (?, ?), (?, ?)');
    // Enough rows that the failing statement touches more than one page.
    const filler = 'x'.repeat(2_000);
    const outcome = db.transaction(() => {
      insertOne.run('a', 1);
      try {
        insertThree.run(`b${filler}`, 2, `c${filler}`, 3, 'a', 4); // the third row collides with 'a'
        return 'inserted';
      } catch (err) {
        return (err as { code?: string }).code;
      }
    })();
    expect(outcome).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    // The transaction committed what came before the statement, and none of the statement's rows.
    expect(db.prepare('SELECT k, v FROM t ORDER BY k').all()).toEqual([{ k: 'a', v: 1 }]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
