import type { Connection, Model, Schema } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import { mongoErrorCode } from './transaction.js';

/**
 * The model `name` on this connection, compiled from `schema` the first time only, so building
 * the stores twice over one connection reuses the models instead of throwing OverwriteModelError.
 */
export function modelOn<T>(connection: Connection, name: string, schema: Schema<T>): Model<T> {
  const existing = connection.models[name] as Model<T> | undefined;
  return existing ?? connection.model<T>(name, schema);
}

/** What readiness needs of a mongoose model (its connection, name and index operations). */
export interface BuildableModel {
  readonly db: Connection;
  readonly modelName: string;
  init(): Promise<unknown>;
  createCollection(): Promise<unknown>;
  createIndexes(): Promise<unknown>;
}

const NAMESPACE_EXISTS = 48;

/**
 * Resolves once the models' collections and indexes exist. Unique indexes carry the stores'
 * guarantees (one username, one message per clientMessageId), so no write may run before they
 * are built; and collections cannot be created inside a transaction on older servers.
 * The first attempt is the build mongoose started when the model was compiled (`init()`); mongoose
 * keeps that promise, failed or not, so a retry creates the collection and indexes itself. A failed
 * build is retried by the next call and keeps /readyz red until it succeeds (index-builds.ts).
 */
export function readiness(builds: IndexBuilds, models: ReadonlyArray<BuildableModel>): () => Promise<void> {
  const ensures = models.map((m) => {
    let attempts = 0;
    return builds.register(`model:${m.modelName}`, async () => {
      if (attempts++ === 0) {
        await m.init();
        return;
      }
      await m.createCollection().catch((err: unknown) => {
        if (mongoErrorCode(err) !== NAMESPACE_EXISTS) throw err;
      });
      await m.createIndexes();
    });
  });
  return () => Promise.all(ensures.map((ensure) => ensure())).then(() => undefined);
}

/** Filter fragment for newest-first paging: ids strictly older than `before`. */
export const olderThan = (before: string | undefined): { _id?: { $lt: string } } =>
  before === undefined ? {} : { _id: { $lt: before } };

/** Options every schema shares: our own string `_id`, no `__v`, indexes built on compile. */
export const SCHEMA_OPTIONS = { versionKey: false, autoIndex: true, autoCreate: true } as const;
