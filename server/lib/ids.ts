import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * Record ids are ULIDs: unique, and sortable by creation time, so "before=<id>" paging works the
 * same way on SQLite (string order) and MongoDB (string order) without a second sort key.
 */
export type IdGenerator = () => string;

/**
 * Random bytes for the ULIDs' random part, drawn from the system CSPRNG a pool at a time: the
 * library's default asks the CSPRNG for one byte per character (16 calls per id), which was 4 %
 * of the server's time in a gift storm (issue 16). Same source, same distribution (a byte / 256
 * times 32 picks each character uniformly).
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let next = POOL_BYTES;

function pooledRandom(): number {
  if (next >= POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 256;
}

const monotonic = monotonicFactory(pooledRandom);

export const newId: IdGenerator = () => monotonic();
