import { mongoErrorCode } from './transaction.js';

const DUPLICATE_KEY = 11000;

/**
 * True when `err` is a duplicate-key error on the index named `indexName`. The server names the
 * index in its message ("E11000 ... index: <name> dup key: ..."), which works on every server
 * version; `keyPattern` is not always present.
 */
export function isDuplicateKeyOn(err: unknown, indexName: string): boolean {
  if (mongoErrorCode(err) !== DUPLICATE_KEY) return false;
  const message = err instanceof Error ? err.message : String((err as { errmsg?: unknown }).errmsg ?? '');
  return message.includes(`index: ${indexName} `);
}

/** True for any duplicate-key error, whichever index raised it. */
export function isDuplicateKey(err: unknown): boolean {
  return mongoErrorCode(err) === DUPLICATE_KEY;
}
