import type { RoomGoalStatus } from '../../../shared/goals.js';
import type { Contribution, GoalRecord, GoalStore, NewGoal } from '../../goals/ports.js';
import { applyContribution } from '../../goals/rules.js';
import type { SqliteDb } from './db.js';
import { fromMs, fromMsOrNull, toMs, toMsOrNull } from './columns.js';

const DDL = `
CREATE TABLE IF NOT EXISTS room_goals (
  id TEXT PRIMARY KEY,
  room_id TEXT NOT NULL,
  title TEXT,
  target INTEGER NOT NULL CHECK (target > 0),
  levels INTEGER NOT NULL CHECK (levels > 0),
  points INTEGER NOT NULL DEFAULT 0,
  level INTEGER NOT NULL DEFAULT 0,
  deadline INTEGER NOT NULL,
  bonus_tokens INTEGER NOT NULL CHECK (bonus_tokens >= 0),
  status TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  reached_at INTEGER,
  paid_at INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS room_goals_room ON room_goals (room_id, id);
CREATE TABLE IF NOT EXISTS room_goal_contributions (
  goal_id TEXT NOT NULL REFERENCES room_goals(id),
  user_id TEXT NOT NULL,
  points INTEGER NOT NULL,
  PRIMARY KEY (goal_id, user_id)
) STRICT, WITHOUT ROWID;
`;

interface Row {
  id: string;
  room_id: string;
  title: string | null;
  target: number;
  levels: number;
  points: number;
  level: number;
  deadline: number;
  bonus_tokens: number;
  status: string;
  created_by: string;
  created_at: number;
  reached_at: number | null;
  paid_at: number | null;
}

const fromRow = (r: Row): GoalRecord => ({
  id: r.id,
  roomId: r.room_id,
  title: r.title,
  target: r.target,
  levels: r.levels,
  points: r.points,
  level: r.level,
  deadline: fromMs(r.deadline),
  bonusTokens: r.bonus_tokens,
  status: r.status as RoomGoalStatus,
  createdBy: r.created_by,
  createdAt: fromMs(r.created_at),
  reachedAt: fromMsOrNull(r.reached_at),
  paidAt: fromMsOrNull(r.paid_at),
});

/** Room goals over SQLite: creation and contributions are each one transaction (SQLite serializes writers). */
export function createSqliteGoalStore(db: SqliteDb): GoalStore {
  db.exec(DDL);
  const insert = db.prepare(
    `INSERT INTO room_goals (id, room_id, title, target, levels, deadline, bonus_tokens, status, created_by, created_at)
     VALUES (@id, @roomId, @title, @target, @levels, @deadline, @bonusTokens, 'active', @createdBy, @createdAt)`,
  );
  const byId = db.prepare<[string], Row>('SELECT * FROM room_goals WHERE id = ?');
  const newest = db.prepare<[string], Row>('SELECT * FROM room_goals WHERE room_id = ? ORDER BY id DESC LIMIT 1');
  const activeOf = db.prepare<[string], Row>("SELECT * FROM room_goals WHERE room_id = ? AND status = 'active' ORDER BY id DESC LIMIT 1");
  const setStatus = db.prepare<[string, string]>('UPDATE room_goals SET status = ? WHERE id = ?');
  const update = db.prepare(
    'UPDATE room_goals SET points = @points, level = @level, deadline = @deadline, status = @status, reached_at = @reachedAt WHERE id = @id',
  );
  const addPoints = db.prepare(
    `INSERT INTO room_goal_contributions (goal_id, user_id, points) VALUES (?, ?, ?)
     ON CONFLICT (goal_id, user_id) DO UPDATE SET points = points + excluded.points`,
  );
  const contributors = db.prepare<[string, number], Contribution>(
    'SELECT user_id AS userId, points FROM room_goal_contributions WHERE goal_id = ? ORDER BY points DESC, user_id ASC LIMIT ?',
  );
  const paid = db.prepare<[number, string]>('UPDATE room_goals SET paid_at = ? WHERE id = ? AND paid_at IS NULL');

  const create = db.transaction((goal: NewGoal) => {
    const active = activeOf.get(goal.roomId);
    if (active && active.deadline > toMs(goal.createdAt)) return { created: false as const, existing: fromRow(active) };
    if (active) setStatus.run('expired', active.id);
    insert.run({ ...goal, deadline: toMs(goal.deadline), createdAt: toMs(goal.createdAt) });
    return { created: true as const, goal: fromRow(byId.get(goal.id)!) };
  });
  const contribute = db.transaction((roomId: string, userId: string, points: number, at: Date, extendMs: number) => {
    const row = activeOf.get(roomId);
    if (!row || row.deadline <= toMs(at)) return null;
    const before = fromRow(row);
    const { after, reachedNow } = applyContribution(before, points, at, extendMs);
    update.run({ id: after.id, points: after.points, level: after.level, deadline: toMs(after.deadline), status: after.status, reachedAt: toMsOrNull(after.reachedAt) });
    addPoints.run(after.id, userId, points);
    return { goal: after, levelBefore: before.level, reachedNow };
  });
  const cancel = db.transaction((roomId: string, at: Date) => {
    const row = activeOf.get(roomId);
    if (!row || row.deadline <= toMs(at)) return null;
    setStatus.run('cancelled', row.id);
    return fromRow(byId.get(row.id)!);
  });

  return {
    async create(goal) {
      return create(goal);
    },
    async current(roomId) {
      const row = newest.get(roomId);
      return row ? fromRow(row) : null;
    },
    async contribute(input) {
      return contribute(input.roomId, input.userId, input.points, input.at, input.levelExtendMs);
    },
    async contributors(goalId, limit) {
      return contributors.all(goalId, limit);
    },
    async cancel(roomId, at) {
      return cancel(roomId, at);
    },
    async markPaid(goalId, at) {
      paid.run(toMs(at), goalId);
    },
  };
}
