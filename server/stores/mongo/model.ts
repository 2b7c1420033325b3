import type { Connection, Model, Schema } from 'mongoose';

/**
 * The model `name` on this connection, compiled from `schema` the first time only, so building
 * the stores twice over one connection reuses the models instead of throwing OverwriteModelError.
 */
export function modelOn<T>(connection: Connection, name: string, schema: Schema<T>): Model<T> {
  const existing = connection.models[name] as Model<T> | undefined;
  return existing ?? connection.model<T>(name, schema);
}

/**
 * Resolves once the models' collections and indexes exist. Unique indexes carry the stores'
 * guarantees (one username, one message per clientMessageId), so no write may run before they
 * are built; and collections cannot be created inside a transaction on older servers.
 * `Model.init()` returns the build mongoose started when the model was compiled (and keeps its
 * outcome: a failed index build fails every write until the process restarts, loudly).
 */
export function readiness(models: ReadonlyArray<{ init(): Promise<unknown> }>): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () => (ready ??= Promise.all(models.map((m) => m.init())).then(() => undefined));
}

/** Filter fragment for newest-first paging: ids strictly older than `before`. */
export const olderThan = (before: string | undefined): { _id?: { $lt: string } } =>
  before === undefined ? {} : { _id: { $lt: before } };

/** Options every schema shares: our own string `_id`, no `__v`, indexes built on compile. */
export const SCHEMA_OPTIONS = { versionKey: false, autoIndex: true, autoCreate: true } as const;
