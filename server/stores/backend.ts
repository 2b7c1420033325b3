import { join } from 'node:path';
import type { Connection } from 'mongoose';
import type { IndexBuilds } from './mongo/index-builds.js';
import type { AppConfig } from '../config/env.js';
import type { Logger } from '../lib/logger.js';
import { openSqlite, type SqliteDb } from './sqlite/db.js';
import { startWalCheckpoints } from './sqlite/wal-checkpoints.js';

/**
 * The one database connection of the process. Every store (records, ledger, economy state) is
 * built over the same backend, so a SQLite transaction or a MongoDB session can span them.
 */
export type Backend =
  | { kind: 'sqlite'; db: SqliteDb; close(): Promise<void> }
  | {
      kind: 'mongodb';
      connection: Connection;
      /** The connection's index builds: every store registers its own, /readyz runs them all. */
      indexBuilds: IndexBuilds;
      close(): Promise<void>;
    };

/** MongoDB when MONGO_URL is set, otherwise the embedded SQLite file under DATA_DIR. */
export async function openBackend(config: Pick<AppConfig, 'mongoUrl' | 'dataDir'>, logger: Logger): Promise<Backend> {
  if (config.mongoUrl) {
    const { connectMongo } = await import('./mongo/connection.js');
    const { createIndexBuilds } = await import('./mongo/index-builds.js');
    const connection = await connectMongo(config.mongoUrl, logger);
    return { kind: 'mongodb', connection, indexBuilds: createIndexBuilds(), close: () => connection.close() };
  }
  const file = join(config.dataDir, 'chat.sqlite');
  const db = openSqlite(file);
  // Checkpoints move to a background thread once the WAL grows (wal-checkpoints.ts).
  const checkpoints = startWalCheckpoints({ db, file, logger });
  return {
    kind: 'sqlite',
    db,
    close: async () => {
      await checkpoints.stop();
      if (db.open) db.close();
    },
  };
}
