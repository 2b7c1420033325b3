import type { Connection } from 'mongoose';
import type { Backend } from './backend.js';
import type { RecordStores } from './ports.js';
import type { SqliteDb } from './sqlite/db.js';
import { createSqliteUserStore } from './sqlite/users-store.js';
import { createSqliteRoomStore } from './sqlite/rooms-store.js';
import { createSqliteMessageStore } from './sqlite/messages-store.js';
import { createSqliteFileStore } from './sqlite/files-store.js';
import { createSqliteNotificationStore } from './sqlite/notifications-store.js';
import { createMongoUserStore } from './mongo/users-store.js';
import { createMongoRoomStore } from './mongo/rooms-store.js';
import { createMongoMessageStore } from './mongo/messages-store.js';
import { createMongoFileStore } from './mongo/files-store.js';
import { createMongoNotificationStore } from './mongo/notifications-store.js';
import { ensureIndexBuilds } from './mongo/index-builds.js';
import { failFast } from './mongo/unavailable.js';

/**
 * Builds every record store over the process's one backend. Each store applies its own schema
 * (SQLite DDL, MongoDB indexes) when built, so calling this twice on one backend is harmless.
 */
export function createRecordStores(backend: Backend): RecordStores {
  switch (backend.kind) {
    case 'sqlite':
      return sqliteRecordStores(backend.db);
    case 'mongodb':
      return mongoRecordStores(backend.connection);
  }
}

function sqliteRecordStores(db: SqliteDb): RecordStores {
  const ping = db.prepare('SELECT 1');
  return {
    backend: 'sqlite',
    users: createSqliteUserStore(db),
    rooms: createSqliteRoomStore(db),
    messages: createSqliteMessageStore(db),
    files: createSqliteFileStore(db),
    notifications: createSqliteNotificationStore(db),
    async ping() {
      ping.get();
    },
  };
}

function mongoRecordStores(connection: Connection): RecordStores {
  // Issue 15: "no server" failures become STORE_UNAVAILABLE; ping (/readyz) also needs every
  // index build done, retrying failed ones (server/stores/mongo/index-builds.ts).
  return {
    backend: 'mongodb',
    users: failFast(createMongoUserStore(connection)),
    rooms: failFast(createMongoRoomStore(connection)),
    messages: failFast(createMongoMessageStore(connection)),
    files: failFast(createMongoFileStore(connection)),
    notifications: failFast(createMongoNotificationStore(connection)),
    async ping() {
      const db = connection.db;
      if (!db) throw new Error('MongoDB connection is not open');
      await db.admin().ping();
      await ensureIndexBuilds(connection);
    },
  };
}
