import type { ActivityId } from '../../economy/config/schema.js';
import { decideCap, remainingCaps, type CapLimits } from '../../economy/rules/caps.js';
import { utcDayKey } from '../../economy/rules/periods.js';
import type { SqliteDb } from './db.js';
import type { Counters } from '../../caps/index.js';
import { SqliteGiftComboCounter } from './gift-combos.js';
import { assertReserveInput, type CapCounter, type CapReservation, type CapReserveInput, type CapReserveResult, type CapUsageResult } from '../../caps/cap-counter.js';
import { assertBudgetInput, decideBudget, refused, type BudgetReservation, type BudgetReserveInput, type BudgetReserveResult, type BudgetUsage, type DailyBudgetCounter } from '../../caps/daily-budget.js';
import { entryTtlMs, failureResult, lockState, nextPinEntry, type PinFailureResult, type PinLockout, type PinLockState, type PinPolicy } from '../../caps/pin-lockout.js';
import { DAY_KEY_TTL_SECONDS, periodKeys, WEEK_KEY_TTL_SECONDS } from '../../caps/periods.js';

/**
 * The embedded default's counters in its SQLite file, so a restart forgets no daily gift count,
 * PIN lockout or earning cap (issue 9, row 9: 59 gifts in a day across 8 restarts, limit 10).
 * Same rules and answers as the Redis and in-process adapters (test/integration/caps-counters.test.ts
 * runs all three). Each call is one synchronous transaction: atomic in the process, and IMMEDIATE
 * so a second process on the file (the audit CLI) cannot interleave. Rows carry an expiry like
 * Redis keys; expired rows read as empty and are swept at most once a minute of the passed-in time.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS counter_cap_events (
  user_id TEXT NOT NULL, day TEXT NOT NULL, activity TEXT NOT NULL, events INTEGER NOT NULL, expires_ms INTEGER NOT NULL,
  PRIMARY KEY (user_id, day, activity)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counter_cap_tokens (
  user_id TEXT NOT NULL, period TEXT NOT NULL, tokens INTEGER NOT NULL, expires_ms INTEGER NOT NULL,
  PRIMARY KEY (user_id, period)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counter_budgets (
  scope TEXT NOT NULL, key TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL, tokens INTEGER NOT NULL, expires_ms INTEGER NOT NULL,
  PRIMARY KEY (scope, key, day)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counter_pin_lockouts (
  user_id TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_ms INTEGER NOT NULL, until_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;

const SWEEP_EVERY_MS = 60_000;
const TABLES = ['counter_cap_events', 'counter_cap_tokens', 'counter_budgets', 'counter_pin_lockouts'] as const;

/** Creates the tables and answers a sweep that drops expired rows, at most once per SWEEP_EVERY_MS. */
function prepare(db: SqliteDb): (nowMs: number) => void {
  db.exec(DDL);
  const sweeps = TABLES.map((t) => db.prepare<[number]>(`DELETE FROM ${t} WHERE expires_ms <= ?`));
  let nextSweepMs = -Infinity;
  return (nowMs) => {
    if (nowMs < nextSweepMs) return;
    nextSweepMs = nowMs + SWEEP_EVERY_MS;
    for (const s of sweeps) s.run(nowMs);
  };
}

// Week keys (`2026-W02`) and day keys (`2026-01-05`) never collide, so one table holds both totals.
const weekPeriod = (week: string): string => `w:${week}`;
const dayPeriod = (day: string): string => `d:${day}`;

export class SqliteCapCounter implements CapCounter {
  private readonly sweep: (nowMs: number) => void;
  private readonly eventsOf;
  private readonly tokensOf;
  private readonly addEvents;
  private readonly addTokens;
  private readonly reserveTx;
  private readonly releaseTx;

  constructor(db: SqliteDb) {
    this.sweep = prepare(db);
    this.eventsOf = db.prepare<[string, string, string, number], { events: number }>(
      'SELECT events FROM counter_cap_events WHERE user_id = ? AND day = ? AND activity = ? AND expires_ms > ?',
    );
    this.tokensOf = db.prepare<[string, string, number], { tokens: number }>('SELECT tokens FROM counter_cap_tokens WHERE user_id = ? AND period = ? AND expires_ms > ?');
    this.addEvents = db.prepare<[string, string, string, number, number]>(
      `INSERT INTO counter_cap_events (user_id, day, activity, events, expires_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, day, activity) DO UPDATE SET events = MAX(0, events + excluded.events)`,
    );
    this.addTokens = db.prepare<[string, string, number, number]>(
      `INSERT INTO counter_cap_tokens (user_id, period, tokens, expires_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, period) DO UPDATE SET tokens = MAX(0, tokens + excluded.tokens)`,
    );
    this.reserveTx = db.transaction((input: CapReserveInput): CapReserveResult => {
      const { day, week } = periodKeys(input.at);
      const now = input.at.getTime();
      const usage = this.read(input.userId, input.activity, day, week, now);
      const decision = decideCap(input.amount, usage, input.limits);
      const reservation: CapReservation = { userId: input.userId, activity: input.activity, day, week, events: decision.eventsAdded, tokens: decision.granted };
      if (decision.eventsAdded > 0) {
        this.addEvents.run(input.userId, day, input.activity, decision.eventsAdded, now + DAY_KEY_TTL_SECONDS * 1000);
        if (decision.granted > 0) {
          this.addTokens.run(input.userId, dayPeriod(day), decision.granted, now + DAY_KEY_TTL_SECONDS * 1000);
          this.addTokens.run(input.userId, weekPeriod(week), decision.granted, now + WEEK_KEY_TTL_SECONDS * 1000);
        }
        usage.activityEvents += decision.eventsAdded;
        usage.dailyTokens += decision.granted;
        usage.weeklyTokens += decision.granted;
      }
      return { granted: decision.granted, ...(decision.reason ? { reason: decision.reason } : {}), reservation, usage };
    });
    // Gives back only to rows that still exist (a period that expired has nothing to give back to).
    const takeEvents = db.prepare<[number, string, string, string]>('UPDATE counter_cap_events SET events = MAX(0, events - ?) WHERE user_id = ? AND day = ? AND activity = ?');
    const takeTokens = db.prepare<[number, string, string]>('UPDATE counter_cap_tokens SET tokens = MAX(0, tokens - ?) WHERE user_id = ? AND period = ?');
    this.releaseTx = db.transaction((r: CapReservation) => {
      takeEvents.run(r.events, r.userId, r.day, r.activity);
      takeTokens.run(r.tokens, r.userId, dayPeriod(r.day));
      takeTokens.run(r.tokens, r.userId, weekPeriod(r.week));
    });
  }

  async reserve(input: CapReserveInput): Promise<CapReserveResult> {
    assertReserveInput(input);
    this.sweep(input.at.getTime());
    return this.reserveTx.immediate(input);
  }

  async release(r: CapReservation): Promise<void> {
    if (r.events === 0 && r.tokens === 0) return;
    this.releaseTx.immediate(r);
  }

  async usage(input: { userId: string; activity: ActivityId; at: Date; limits: CapLimits }): Promise<CapUsageResult> {
    const { day, week } = periodKeys(input.at);
    const usage = this.read(input.userId, input.activity, day, week, input.at.getTime());
    return { usage, remaining: remainingCaps(usage, input.limits), day, week };
  }

  private read(userId: string, activity: string, day: string, week: string, now: number) {
    return {
      activityEvents: this.eventsOf.get(userId, day, activity, now)?.events ?? 0,
      dailyTokens: this.tokensOf.get(userId, dayPeriod(day), now)?.tokens ?? 0,
      weeklyTokens: this.tokensOf.get(userId, weekPeriod(week), now)?.tokens ?? 0,
    };
  }
}

export class SqliteDailyBudgetCounter implements DailyBudgetCounter {
  private readonly sweep: (nowMs: number) => void;
  private readonly usageOf;
  private readonly reserveTx;
  private readonly releaseStmt;

  constructor(db: SqliteDb) {
    this.sweep = prepare(db);
    this.usageOf = db.prepare<[string, string, string, number], BudgetUsage>(
      'SELECT count, tokens FROM counter_budgets WHERE scope = ? AND key = ? AND day = ? AND expires_ms > ?',
    );
    const add = db.prepare<[string, string, string, number, number]>(
      `INSERT INTO counter_budgets (scope, key, day, count, tokens, expires_ms) VALUES (?, ?, ?, 1, ?, ?)
       ON CONFLICT (scope, key, day) DO UPDATE SET count = count + 1, tokens = tokens + excluded.tokens`,
    );
    this.releaseStmt = db.prepare<[number, number, string, string, string]>(
      'UPDATE counter_budgets SET count = MAX(0, count - ?), tokens = MAX(0, tokens - ?) WHERE scope = ? AND key = ? AND day = ?',
    );
    this.reserveTx = db.transaction((input: BudgetReserveInput): BudgetReserveResult => {
      const day = utcDayKey(input.at);
      const now = input.at.getTime();
      const cur = this.usageOf.get(input.scope, input.key, day, now) ?? { count: 0, tokens: 0 };
      const reason = decideBudget(input.amount, cur, input.maxCount, input.maxTokens);
      if (reason) return refused(reason, { count: cur.count, tokens: cur.tokens }, input);
      add.run(input.scope, input.key, day, input.amount, now + DAY_KEY_TTL_SECONDS * 1000);
      const usage = { count: cur.count + 1, tokens: cur.tokens + input.amount };
      return { ok: true, usage, reservation: { scope: input.scope, key: input.key, day, count: 1, tokens: input.amount } };
    });
  }

  async reserve(input: BudgetReserveInput): Promise<BudgetReserveResult> {
    assertBudgetInput(input);
    this.sweep(input.at.getTime());
    return this.reserveTx.immediate(input);
  }

  async release(r: BudgetReservation): Promise<void> {
    this.releaseStmt.run(r.count, r.tokens, r.scope, r.key, r.day);
  }

  async usage(input: { scope: string; key: string; at: Date }): Promise<BudgetUsage> {
    const cur = this.usageOf.get(input.scope, input.key, utcDayKey(input.at), input.at.getTime());
    return { count: cur?.count ?? 0, tokens: cur?.tokens ?? 0 };
  }
}

interface PinRow {
  failures: number;
  last_ms: number;
  until_ms: number;
}

export class SqlitePinLockout implements PinLockout {
  private readonly sweep: (nowMs: number) => void;
  private readonly entryOf;
  private readonly failureTx;
  private readonly deleteStmt;

  constructor(db: SqliteDb) {
    this.sweep = prepare(db);
    this.entryOf = db.prepare<[string, number], PinRow>('SELECT failures, last_ms, until_ms FROM counter_pin_lockouts WHERE user_id = ? AND expires_ms > ?');
    const put = db.prepare<[string, number, number, number, number]>(
      `INSERT INTO counter_pin_lockouts (user_id, failures, last_ms, until_ms, expires_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET failures = excluded.failures, last_ms = excluded.last_ms, until_ms = excluded.until_ms, expires_ms = excluded.expires_ms`,
    );
    this.deleteStmt = db.prepare<[string]>('DELETE FROM counter_pin_lockouts WHERE user_id = ?');
    this.failureTx = db.transaction((userId: string, now: number, policy: PinPolicy): PinFailureResult => {
      const row = this.entryOf.get(userId, now);
      const next = nextPinEntry(row ? { failures: row.failures, lastMs: row.last_ms, untilMs: row.until_ms } : undefined, now, policy);
      put.run(userId, next.failures, next.lastMs, next.untilMs, now + entryTtlMs(policy));
      return failureResult(next, now, policy);
    });
  }

  async recordFailure({ userId, at, policy }: { userId: string; at: Date; policy: PinPolicy }): Promise<PinFailureResult> {
    this.sweep(at.getTime());
    return this.failureTx.immediate(userId, at.getTime(), policy);
  }

  async isLocked({ userId, at }: { userId: string; at: Date }): Promise<PinLockState> {
    return lockState(this.entryOf.get(userId, at.getTime())?.until_ms ?? 0, at.getTime());
  }

  async reset(userId: string): Promise<void> {
    this.deleteStmt.run(userId);
  }
}

/** The counters in the embedded default's SQLite file (`stores.embedded.counters`). */
export function sqliteCounters(db: SqliteDb): Counters {
  return { caps: new SqliteCapCounter(db), pinLockout: new SqlitePinLockout(db), budgets: new SqliteDailyBudgetCounter(db), combos: new SqliteGiftComboCounter(db) };
}
