import type { Page } from './ports.js';

/** The largest `limit` a paged store call accepts; routes clamp user input well below it. */
export const PAGE_LIMIT_MAX = 1000;

/** Refuses a limit that is not a whole number in 1..PAGE_LIMIT_MAX (a programmer error, not user input). */
export function checkPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX) {
    throw new RangeError(`page limit must be an integer in 1..${PAGE_LIMIT_MAX}, got ${limit}`);
  }
}

/**
 * Builds a page from at most `limit + 1` rows read newest first. The extra row is never
 * returned: it only proves that an older item exists, so `nextCursor` is set exactly when
 * another page has at least one item.
 */
export function toPage<T extends { id: string }>(rows: readonly T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: [...rows], nextCursor: null };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: last ? last.id : null };
}

/**
 * Reads a whole collection in pages of `pageSize`, in ascending id order, each page after the last
 * id of the one before: a scan that never holds one long cursor or transaction open (the audit and
 * statistics of a large journal). `fetch` reads up to `limit` rows with ids greater than `after`.
 */
export async function* scanPages<T extends { id: string }>(fetch: (after: string | undefined, limit: number) => Promise<T[]>, pageSize: number): AsyncGenerator<T[]> {
  checkPageLimit(pageSize);
  let after: string | undefined;
  for (;;) {
    const rows = await fetch(after, pageSize);
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}
