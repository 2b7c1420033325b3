import type { Connection } from 'mongoose';
import type { RecordStores } from '../ports.js';
import { createMongoUserStore } from './users-store.js';
import { createMongoRoomStore } from './rooms-store.js';
import { createMongoMessageStore } from './messages-store.js';
import { createMongoFileStore } from './files-store.js';
import { createMongoNotificationStore } from './notifications-store.js';
import type { IndexBuilds } from './index-builds.js';
import { failFast } from './unavailable.js';

/** The record stores over MongoDB (loaded by createRecordStores in server/stores/records.ts only for a MongoDB backend). */
export function mongoRecordStores(connection: Connection, indexBuilds: IndexBuilds): RecordStores {
  // Issue 15: "no server" failures become STORE_UNAVAILABLE; ping (/readyz) also needs every
  // index build on this connection done (the ledger's and the other stores' too), retrying failed
  // ones (server/stores/mongo/index-builds.ts).
  return {
    backend: 'mongodb',
    users: failFast(createMongoUserStore(connection, indexBuilds)),
    rooms: failFast(createMongoRoomStore(connection, indexBuilds)),
    messages: failFast(createMongoMessageStore(connection, indexBuilds)),
    files: failFast(createMongoFileStore(connection, indexBuilds)),
    notifications: failFast(createMongoNotificationStore(connection, indexBuilds)),
    async ping() {
      const db = connection.db;
      if (!db) throw new Error('MongoDB connection is not open');
      await db.admin().ping();
      await indexBuilds.ensureAll();
    },
  };
}
