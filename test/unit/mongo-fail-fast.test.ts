import { afterEach, describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import { pino } from 'pino';
import { performance } from 'node:perf_hooks';
import { SERVER_SELECTION_TIMEOUT_MS, connectMongo, connectionOptions } from '../../server/stores/mongo/connection.js';
import { failFast, isStoreUnavailable } from '../../server/stores/mongo/unavailable.js';
import { createLedgerStore } from '../../server/stores/ledger.js';
import { createRecordStores } from '../../server/stores/records.js';
import { AppError } from '../../server/lib/app-error.js';
import { cursor, commandName, isHello, replicaSetHello, startFakeMongo, type FakeMongo } from '../support/fake-mongo.js';

/**
 * Fail fast: with no usable server a store call answers STORE_UNAVAILABLE within the server
 * selection timeout, instead of hanging in mongoose's command buffer.
 */
const silent = pino({ level: 'silent' });
const running: FakeMongo[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.close()));
});

/** A replica-set member that answers reads with no documents, and can be stopped. */
async function member(): Promise<FakeMongo> {
  const fake = await startFakeMongo((c, port) => {
    if (isHello(c)) return { ...replicaSetHello(port), localTime: new Date(), ok: 1 };
    return commandName(c) === 'find' ? cursor(c, []) : { ok: 1 };
  });
  running.push(fake);
  return fake;
}

const selectionMs = 300;
const urlOf = (fake: FakeMongo) => `mongodb://127.0.0.1:${fake.port}/chat?serverSelectionTimeoutMS=${selectionMs}`;

describe('fail-fast MongoDB driver settings', () => {
  it('turn command buffering off and shorten server selection unless the URL sets it', () => {
    expect(connectionOptions('mongodb://h/db?replicaSet=rs0')).toEqual({ bufferCommands: false, serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS });
    expect(SERVER_SELECTION_TIMEOUT_MS).toBeLessThanOrEqual(5_000);
    expect(connectionOptions('mongodb://h/db?serverSelectionTimeoutMS=700')).toEqual({ bufferCommands: false });
  });

  it('answer STORE_UNAVAILABLE from the ledger within the selection timeout once the server is gone', async () => {
    const fake = await member();
    const connection = await connectMongo(urlOf(fake), silent);
    try {
      const store = await createLedgerStore({ kind: 'mongodb', connection, indexBuilds: createIndexBuilds(), close: () => connection.close() });
      await expect(store.account('a')).resolves.toMatchObject({ balance: 0 });
      await fake.close();
      const started = performance.now();
      const err: unknown = await store.account('a').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
      expect(performance.now() - started).toBeLessThan(selectionMs + 2_000);
    } finally {
      await connection.close(true);
    }
  });

  it('answer STORE_UNAVAILABLE from a record store once the server is gone, instead of buffering', async () => {
    const fake = await member();
    const connection = await connectMongo(urlOf(fake), silent);
    try {
      const stores = await createRecordStores({ kind: 'mongodb', connection, indexBuilds: createIndexBuilds(), close: () => connection.close() });
      await expect(stores.users.findById('u1')).resolves.toBeNull();
      await fake.close();
      const started = performance.now();
      await expect(stores.users.findById('u1')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(performance.now() - started).toBeLessThan(selectionMs + 2_000);
    } finally {
      await connection.close(true);
    }
  });

  it('keep /readyz (the records ping) red while an index build fails, and retry it', async () => {
    let failIndexes = true;
    const fake = await startFakeMongo((c, port) => {
      if (isHello(c)) return { ...replicaSetHello(port), localTime: new Date(), ok: 1 };
      if (commandName(c) === 'createindexes' && failIndexes) return { ok: 0, code: 67, codeName: 'CannotCreateIndex', errmsg: 'index build interrupted' };
      return commandName(c) === 'find' ? cursor(c, []) : { ok: 1 };
    });
    running.push(fake);
    const connection = await connectMongo(urlOf(fake), silent);
    try {
      const stores = await createRecordStores({ kind: 'mongodb', connection, indexBuilds: createIndexBuilds(), close: () => connection.close() });
      await expect(stores.ping()).rejects.toThrow(/index builds not done: .*model:/);
      failIndexes = false;
      await expect(stores.ping()).resolves.toBeUndefined();
      await expect(stores.users.findById('u1')).resolves.toBeNull();
    } finally {
      await connection.close(true);
    }
  });

  it('leave every other error and every result as it is', async () => {
    const refused = new Error('E11000 duplicate key');
    const store = failFast({ ok: async () => 7, bad: async () => Promise.reject(refused), sync: () => 3 });
    await expect(store.ok()).resolves.toBe(7);
    await expect(store.bad()).rejects.toBe(refused);
    expect(store.sync()).toBe(3);
    const selection = Object.assign(new Error('no primary'), { name: 'MongoServerSelectionError' });
    expect(isStoreUnavailable(selection)).toBe(true);
    expect(isStoreUnavailable(refused)).toBe(false);
  });
});
