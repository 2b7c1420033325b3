import type { Page } from '../ports.js';
import type { SqliteDb } from './db.js';
import { checkPageLimit, toPage } from '../page.js';

/*
 * Column conventions of every SQLite store: times are INTEGER epoch milliseconds (exact, and
 * sortable), JSON objects are TEXT, booleans do not occur. Ids are TEXT ULIDs compared with the
 * default BINARY collation, which orders them by creation time.
 */

export const toMs = (d: Date): number => d.getTime();
export const fromMs = (ms: number): Date => new Date(ms);
export const toMsOrNull = (d: Date | null): number | null => (d === null ? null : d.getTime());
export const fromMsOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** Turns a list of ids into one bound parameter, read back in SQL with `json_each(?)`. */
export const idList = (ids: readonly string[]): string => JSON.stringify(ids);

/**
 * A newest-first paged query as two prepared statements: `build('')` for the first page and
 * `build('AND <idColumn> < @before')` for the next ones, so both keep an index range scan
 * (an `@before IS NULL OR ...` test would defeat it). `build` must order by `idColumn` DESC and
 * end with `LIMIT @limit`.
 */
export function pagedQuery<P extends Record<string, unknown>, Row, T extends { id: string }>(
  db: SqliteDb,
  idColumn: string,
  build: (cursorClause: string) => string,
  map: (row: Row) => T,
): (params: P, opts: { before?: string | undefined; limit: number }) => Page<T> {
  const first = db.prepare<[P & { limit: number }], Row>(build(''));
  const next = db.prepare<[P & { limit: number; before: string }], Row>(build(`AND ${idColumn} < @before`));
  return (params, opts) => {
    checkPageLimit(opts.limit);
    const limit = opts.limit + 1;
    const rows = opts.before === undefined ? first.all({ ...params, limit }) : next.all({ ...params, limit, before: opts.before });
    return toPage(rows.map(map), opts.limit);
  };
}
