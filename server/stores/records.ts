import type { Backend } from './backend.js';
import type { RecordStores } from './ports.js';
import type { SqliteDb } from './sqlite/db.js';
import { createSqliteUserStore } from './sqlite/users-store.js';
import { createSqliteRoomStore } from './sqlite/rooms-store.js';
import { createSqliteMessageStore } from './sqlite/messages-store.js';
import { createSqliteFileStore } from './sqlite/files-store.js';
import { createSqliteNotificationStore } from './sqlite/notifications-store.js';

/**
 * Builds every record store over the process's one backend. Each store applies its own schema
 * (SQLite DDL, MongoDB indexes) when built, so calling this twice on one backend is harmless.
 * The MongoDB adapters are imported only when the backend is MongoDB (as the other stores'
 * factories do), so the embedded SQLite default never loads mongoose.
 */
export async function createRecordStores(backend: Backend): Promise<RecordStores> {
  switch (backend.kind) {
    case 'sqlite':
      return sqliteRecordStores(backend.db);
    case 'mongodb': {
      const { mongoRecordStores } = await import('./mongo/record-stores.js');
      return mongoRecordStores(backend.connection, backend.indexBuilds);
    }
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
