import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type AppConfig } from '../config/env.js';
import type { Logger } from '../lib/logger.js';
import { openBackend, type Backend } from '../stores/backend.js';

/** EX_NOINPUT (sysexits.h): the input the command works on does not exist. */
export const EXIT_NO_DATABASE = 66;

/** The database an operator command was pointed at does not exist; nothing was created. */
export class MissingDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingDatabaseError';
  }
}

/**
 * Opens the backend for an operator command (ledger:audit, economy:decay, make-admin) only if it
 * already exists (issue 9, row 13): opening SQLite creates an empty file, and an audit of an empty
 * database "passes", a silent ok on the wrong data. SQLite: DATA_DIR/chat.sqlite must exist.
 * MongoDB: the database must hold at least one collection (a server has run against it).
 */
export async function openExistingBackend(config: Pick<AppConfig, 'mongoUrl' | 'dataDir'>, logger: Logger): Promise<Backend> {
  if (!config.mongoUrl) {
    const path = join(config.dataDir, 'chat.sqlite');
    if (!existsSync(path)) {
      throw new MissingDatabaseError(`No database at ${path}: set DATA_DIR to the data directory the server uses (or MONGO_URL). Nothing was created.`);
    }
    return openBackend(config, logger);
  }
  const backend = await openBackend(config, logger);
  if (backend.kind === 'mongodb') {
    const collections = (await backend.connection.db?.listCollections({}, { nameOnly: true }).toArray()) ?? [];
    if (collections.length === 0) {
      await backend.close();
      throw new MissingDatabaseError(`The MongoDB database at MONGO_URL holds no collections: no server has run against it. Check the database name.`);
    }
  }
  return backend;
}

/** EX_CONFIG (sysexits.h): a bad environment variable, as the server itself exits. */
const EXIT_CONFIG = 78;

/** The exit code and message of a failed operator command; `otherCode` for anything unexpected. */
export function cliFailure(command: string, err: unknown, otherCode: number): { code: number; message: string } {
  if (err instanceof ConfigError) return { code: EXIT_CONFIG, message: err.message };
  if (err instanceof MissingDatabaseError) return { code: EXIT_NO_DATABASE, message: `${command}: ${err.message}` };
  return { code: otherCode, message: `${command} failed: ${err instanceof Error ? err.message : String(err)}` };
}
