import { monotonicFactory } from 'ulid';

/**
 * Record ids are ULIDs: unique, and sortable by creation time, so "before=<id>" paging works the
 * same way on SQLite (string order) and MongoDB (string order) without a second sort key.
 */
export type IdGenerator = () => string;

const monotonic = monotonicFactory();

export const newId: IdGenerator = () => monotonic();
