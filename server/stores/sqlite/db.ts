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
 * `temp_store = MEMORY` keeps SQLite's temporary files in memory. The one the server makes all the
 * time is the statement journal: a statement that writes several rows inside a transaction (the
 * ledger's multi-row inserts and account upserts, a batch of awards) journals each page it touches
 * so that it can be undone alone if it fails half-way, and with the default that journal is a
 * temporary file written with one system call per page. In memory, a batched ledger entry costs
 * about 13 % less CPU (issue 16, docs/performance.md "Session 7"); the journal lives for one
 * statement and holds only the pages it changed. The price is paid by the admin dashboard's
 * earnings by day and activity, whose GROUP BY sorts every user leg of its window: that sort now
 * stays in memory instead of spilling to a temporary file, about 61 MiB per million legs
 * (measured), freed when the query ends. Chat and the economy's own paths sort nothing that large.
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
  db.pragma('temp_store = MEMORY');
  return db;
}
