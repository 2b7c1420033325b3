import type { PenaltyAction } from '../economy/rules/abuse.js';

/** One applied step of the penalty ladder (docs/anti-abuse.md). */
export interface PenaltyRecord {
  id: string;
  userId: string;
  /** 1 for the user's first penalty, 2 for the second, ...: unique per user, so two admins racing take distinct steps. */
  sequence: number;
  action: PenaltyAction;
  severe: boolean;
  reason: string;
  actorId: string;
  /** The admin's request id: a retry with the same id returns this record. Unique per user. */
  requestId: string;
  /** End of an earning suspension; null for other steps. */
  suspendedUntil: Date | null;
  createdAt: Date;
  /**
   * When an admin lifted it (server/admin/): not a column of the penalties store, which never
   * edits a record; merged in from the admin audit log by `createAbuse`'s `liftedAt`.
   */
  liftedAt?: Date | null;
}

/** One account's registration address, kept to count accounts per IP per UTC day. */
export interface IpRegistration {
  userId: string;
  ip: string;
  /** UTC day of the registration, YYYY-MM-DD. */
  day: string;
  createdAt: Date;
}

export type PenaltyInsertResult =
  | { status: 'inserted' }
  | { status: 'duplicate'; existing: PenaltyRecord }
  /** Another penalty took this sequence number first: recompute the step and try again. */
  | { status: 'sequence_taken' };

/** Penalties are never edited or removed; a user has at most this many (the ladder ends in a ban). */
export const PENALTIES_PER_USER_MAX = 100;
/** Accounts listed per IP for admins. */
export const ACCOUNTS_PER_IP_LIST_MAX = 200;

/**
 * The anti-abuse records: applied penalties and registration addresses. SQLite and MongoDB
 * adapters (server/stores/{sqlite,mongo}/penalties-store.ts) share test/contract/penalties.contract.test.ts.
 */
export interface PenaltyStore {
  insert(p: PenaltyRecord): Promise<PenaltyInsertResult>;
  /** The user's penalties, oldest first (at most PENALTIES_PER_USER_MAX). */
  list(userId: string): Promise<PenaltyRecord[]>;
  /** Records the account's address once; a second call for the same user changes nothing. */
  recordRegistration(r: IpRegistration): Promise<void>;
  /** The account's 1-based position among the registrations from `ip` on `day`, by user id (creation order). */
  registrationRank(ip: string, day: string, userId: string): Promise<number>;
  /** The newest registrations from `ip` (at most `limit`), newest first. */
  registrationsFrom(ip: string, limit: number): Promise<IpRegistration[]>;
  registrationOf(userId: string): Promise<IpRegistration | null>;
}
