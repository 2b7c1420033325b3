import type { IpRegistration, PenaltyInsertResult, PenaltyRecord, PenaltyStore } from '../../abuse/ports.js';
import { PENALTIES_PER_USER_MAX } from '../../abuse/ports.js';
import type { PenaltyAction } from '../../economy/rules/abuse.js';
import type { SqliteDb } from './db.js';
import { fromMs, fromMsOrNull, toMs, toMsOrNull } from './columns.js';

const DDL = `
CREATE TABLE IF NOT EXISTS abuse_penalties (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  action TEXT NOT NULL,
  severe INTEGER NOT NULL,
  reason TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  suspended_until INTEGER,
  created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS abuse_penalties_user_sequence ON abuse_penalties (user_id, sequence);
CREATE UNIQUE INDEX IF NOT EXISTS abuse_penalties_user_request ON abuse_penalties (user_id, request_id);
CREATE TABLE IF NOT EXISTS abuse_registrations (
  user_id TEXT PRIMARY KEY,
  ip TEXT NOT NULL,
  day TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS abuse_registrations_ip_day ON abuse_registrations (ip, day, user_id);
CREATE INDEX IF NOT EXISTS abuse_registrations_ip ON abuse_registrations (ip, user_id);
`;

interface PenaltyRow {
  id: string;
  user_id: string;
  sequence: number;
  action: PenaltyAction;
  severe: number;
  reason: string;
  actor_id: string;
  request_id: string;
  suspended_until: number | null;
  created_at: number;
}

interface RegistrationRow {
  user_id: string;
  ip: string;
  day: string;
  created_at: number;
}

const penaltyFromRow = (r: PenaltyRow): PenaltyRecord => ({
  id: r.id,
  userId: r.user_id,
  sequence: r.sequence,
  action: r.action,
  severe: r.severe === 1,
  reason: r.reason,
  actorId: r.actor_id,
  requestId: r.request_id,
  suspendedUntil: fromMsOrNull(r.suspended_until),
  createdAt: fromMs(r.created_at),
});

const registrationFromRow = (r: RegistrationRow): IpRegistration => ({ userId: r.user_id, ip: r.ip, day: r.day, createdAt: fromMs(r.created_at) });

/** Penalties and registration addresses in the embedded SQLite file. */
export function createSqlitePenaltyStore(db: SqliteDb): PenaltyStore {
  db.exec(DDL);
  const byRequest = db.prepare<[string, string], PenaltyRow>('SELECT * FROM abuse_penalties WHERE user_id = ? AND request_id = ?');
  const sequenceTaken = db.prepare<[string, number], { one: number }>('SELECT 1 AS one FROM abuse_penalties WHERE user_id = ? AND sequence = ?');
  const insertPenalty = db.prepare(
    `INSERT INTO abuse_penalties (id, user_id, sequence, action, severe, reason, actor_id, request_id, suspended_until, created_at)
     VALUES (@id, @userId, @sequence, @action, @severe, @reason, @actorId, @requestId, @suspendedUntil, @createdAt)`,
  );
  const listPenalties = db.prepare<[string, number], PenaltyRow>('SELECT * FROM abuse_penalties WHERE user_id = ? ORDER BY sequence LIMIT ?');
  const insertRegistration = db.prepare('INSERT OR IGNORE INTO abuse_registrations (user_id, ip, day, created_at) VALUES (?, ?, ?, ?)');
  const rank = db.prepare<[string, string, string], { n: number }>('SELECT COUNT(*) AS n FROM abuse_registrations WHERE ip = ? AND day = ? AND user_id <= ?');
  const registrationsFrom = db.prepare<[string, number], RegistrationRow>('SELECT * FROM abuse_registrations WHERE ip = ? ORDER BY user_id DESC LIMIT ?');
  const registrationOf = db.prepare<[string], RegistrationRow>('SELECT * FROM abuse_registrations WHERE user_id = ?');

  // One synchronous transaction: the two uniqueness checks and the insert cannot interleave.
  const insert = db.transaction((p: PenaltyRecord): PenaltyInsertResult => {
    const existing = byRequest.get(p.userId, p.requestId);
    if (existing) return { status: 'duplicate', existing: penaltyFromRow(existing) };
    if (sequenceTaken.get(p.userId, p.sequence)) return { status: 'sequence_taken' };
    insertPenalty.run({ ...p, severe: p.severe ? 1 : 0, suspendedUntil: toMsOrNull(p.suspendedUntil), createdAt: toMs(p.createdAt) });
    return { status: 'inserted' };
  });

  return {
    async insert(p) {
      return insert.immediate(p);
    },
    async list(userId) {
      return listPenalties.all(userId, PENALTIES_PER_USER_MAX).map(penaltyFromRow);
    },
    async recordRegistration(r) {
      insertRegistration.run(r.userId, r.ip, r.day, toMs(r.createdAt));
    },
    async registrationRank(ip, day, userId) {
      return rank.get(ip, day, userId)?.n ?? 0;
    },
    async registrationsFrom(ip, limit) {
      return registrationsFrom.all(ip, limit).map(registrationFromRow);
    },
    async registrationOf(userId) {
      const row = registrationOf.get(userId);
      return row ? registrationFromRow(row) : null;
    },
  };
}
