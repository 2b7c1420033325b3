import type { SeasonRewardTier } from '../../../shared/seasons.js';
import { checkSeasonListLimit, type NewSeason, type SeasonRecord, type SeasonStore, type StandingRecord } from '../../seasons/ports.js';
import type { SqliteDb } from './db.js';
import { fromMs, fromMsOrNull, toMs } from './columns.js';

const DDL = `
CREATE TABLE IF NOT EXISTS seasons (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),
  multiplier REAL,
  rewards TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  closed_at INTEGER,
  paid_at INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS seasons_ends ON seasons (ends_at);
CREATE INDEX IF NOT EXISTS seasons_starts ON seasons (starts_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS season_standings (
  season_id TEXT NOT NULL REFERENCES seasons(id),
  rank INTEGER NOT NULL CHECK (rank >= 1),
  user_id TEXT NOT NULL,
  earned INTEGER NOT NULL,
  PRIMARY KEY (season_id, rank)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS season_standings_user ON season_standings (user_id, rank);
`;

interface Row {
  id: string;
  name: string;
  starts_at: number;
  ends_at: number;
  multiplier: number | null;
  rewards: string;
  created_by: string;
  created_at: number;
  closed_at: number | null;
  paid_at: number | null;
}

interface StandingRow {
  season_id: string;
  rank: number;
  user_id: string;
  earned: number;
}

const fromRow = (r: Row): SeasonRecord => ({
  id: r.id,
  name: r.name,
  startsAt: fromMs(r.starts_at),
  endsAt: fromMs(r.ends_at),
  multiplier: r.multiplier,
  rewards: JSON.parse(r.rewards) as SeasonRewardTier[],
  createdBy: r.created_by,
  createdAt: fromMs(r.created_at),
  closedAt: fromMsOrNull(r.closed_at),
  paidAt: fromMsOrNull(r.paid_at),
});

const fromStanding = (r: StandingRow): StandingRecord => ({ seasonId: r.season_id, userId: r.user_id, rank: r.rank, earned: r.earned });

/** Seasons over SQLite: `archive` is one transaction (a guarded UPDATE, then the standings). */
export function createSqliteSeasonStore(db: SqliteDb): SeasonStore {
  db.exec(DDL);
  const insert = db.prepare(
    `INSERT INTO seasons (id, name, starts_at, ends_at, multiplier, rewards, created_by, created_at)
     VALUES (@id, @name, @startsAt, @endsAt, @multiplier, @rewards, @createdBy, @createdAt)`,
  );
  const byId = db.prepare<[string], Row>('SELECT * FROM seasons WHERE id = ?');
  const list = db.prepare<[number], Row>('SELECT * FROM seasons ORDER BY starts_at DESC, id DESC LIMIT ?');
  const notEnded = db.prepare<[number, number], Row>('SELECT * FROM seasons WHERE ends_at > ? AND multiplier IS NOT NULL ORDER BY ends_at ASC LIMIT ?');
  const due = db.prepare<[number, number], Row>('SELECT * FROM seasons WHERE ends_at <= ? AND paid_at IS NULL ORDER BY ends_at ASC LIMIT ?');
  const close = db.prepare<[number, string]>('UPDATE seasons SET closed_at = ? WHERE id = ? AND closed_at IS NULL');
  const insertStanding = db.prepare('INSERT INTO season_standings (season_id, rank, user_id, earned) VALUES (@seasonId, @rank, @userId, @earned)');
  const standings = db.prepare<[string, number], StandingRow>('SELECT * FROM season_standings WHERE season_id = ? ORDER BY rank ASC LIMIT ?');
  const paid = db.prepare<[number, string]>('UPDATE seasons SET paid_at = ? WHERE id = ? AND paid_at IS NULL');
  const results = db.prepare<[string, number], StandingRow>('SELECT * FROM season_standings WHERE user_id = ? ORDER BY rank ASC, earned DESC, season_id ASC LIMIT ?');
  const archive = db.transaction((seasonId: string, rows: readonly StandingRecord[], at: number): boolean => {
    if (close.run(at, seasonId).changes !== 1) return false;
    for (const row of rows) insertStanding.run(row);
    return true;
  });

  return {
    async create(s: NewSeason) {
      insert.run({ ...s, startsAt: toMs(s.startsAt), endsAt: toMs(s.endsAt), createdAt: toMs(s.createdAt), rewards: JSON.stringify(s.rewards) });
      return fromRow(byId.get(s.id)!);
    },
    async findById(id) {
      const row = byId.get(id);
      return row ? fromRow(row) : null;
    },
    async list(limit) {
      checkSeasonListLimit(limit);
      return list.all(limit).map(fromRow);
    },
    async withMultiplierNotEnded(at, limit) {
      checkSeasonListLimit(limit);
      return notEnded.all(toMs(at), limit).map(fromRow);
    },
    async dueToClose(endedBy, limit) {
      checkSeasonListLimit(limit);
      return due.all(toMs(endedBy), limit).map(fromRow);
    },
    async archive(seasonId, rows, at) {
      return archive(seasonId, rows, toMs(at));
    },
    async standings(seasonId, limit) {
      return standings.all(seasonId, limit).map(fromStanding);
    },
    async markPaid(seasonId, at) {
      paid.run(toMs(at), seasonId);
    },
    async resultsOf(userId, limit) {
      checkSeasonListLimit(limit);
      return results.all(userId, limit).map(fromStanding);
    },
  };
}
