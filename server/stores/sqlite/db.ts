import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDb = Database.Database;

/**
 * Opens the embedded database. WAL lets readers proceed during a write; `synchronous = NORMAL` is
 * durable across process crashes in WAL mode (only an OS crash can lose the last commits), which
 * is the usual trade for an embedded single-node server. `busy_timeout` covers a second process
 * (the audit CLI) touching the same file.
 *
 * Each store module applies its own DDL (idempotent `CREATE ... IF NOT EXISTS`) when it is
 * created, so a module owns its tables.
 */
export function openSqlite(path: string): SqliteDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
