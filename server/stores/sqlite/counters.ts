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

/**
 * One counter row's change that is decided but not yet written: the row's key and its net delta
 * (reservations add, releases of a reservation not yet written take back).
 */
interface PendingCapRow {
  table: 'events' | 'tokens';
  userId: string;
  /** The day key (events) or the `d:`/`w:` period (tokens). */
  period: string;
  /** The activity (events rows only). */
  activity: string;
  delta: number;
  /** The expiry a row created by this write gets. */
  expiresMs: number;
}

/**
 * Longest a decided reservation waits in memory for a ledger transaction to carry it before it is
 * written on its own. Well over the ledger's batch window (5 ms), so an award's reservation rides
 * in its entry's commit, never in a commit of its own; short enough that a reservation without a
 * ledger post (a refused or failed award) is written soon after.
 */
export const CAP_WRITE_DELAY_MS = 100;

const NO_UNDO = (): void => {};

/**
 * The earning caps in the SQLite file, for a single server process (several nodes need Redis:
 * docs/scaling.md). Each `reserve` decides at once and atomically in the process (the counter's
 * stored rows plus the changes decided since they were last written, read and changed without an
 * await in between), and its row changes are written inside the next ledger transaction
 * (`writeIn`, called by the SQLite ledger store's post) or, when no ledger post comes, on their own
 * within CAP_WRITE_DELAY_MS. So an award's reservation costs no commit of its own (issue 16: that
 * commit was a third of the economy's SQLite work per chat message), and every committed earn
 * entry has its reservation committed with it or before it: a crash loses only reservations whose
 * award was never written (the user then earns less, never more, as a failed release always did).
 */
export class SqliteCapCounter implements CapCounter {
  private readonly sweep: (nowMs: number) => void;
  private readonly usageOf;
  private readonly addEvents;
  private readonly addTokens;
  private readonly takeEvents;
  private readonly takeTokens;
  private readonly writeTx;
  /** Row changes decided and not yet written, by row key. */
  private pending = new Map<string, PendingCapRow>();
  private timer: NodeJS.Timeout | null = null;
  /** How to take back the write of the transaction `flush` has open, should its commit fail. */
  private undoWrite: () => void = NO_UNDO;

  constructor(private readonly db: SqliteDb) {
    this.sweep = prepare(db);
    // One statement for the three rows: outside a transaction each statement is a read
    // transaction of its own (WAL read-lock system calls), so three reads cost about twice one.
    this.usageOf = db.prepare<[string, string, string, number, string, string, number, string, string, number], { events: number | null; day_tokens: number | null; week_tokens: number | null }>(
      `SELECT (SELECT events FROM counter_cap_events WHERE user_id = ? AND day = ? AND activity = ? AND expires_ms > ?) AS events,
              (SELECT tokens FROM counter_cap_tokens WHERE user_id = ? AND period = ? AND expires_ms > ?) AS day_tokens,
              (SELECT tokens FROM counter_cap_tokens WHERE user_id = ? AND period = ? AND expires_ms > ?) AS week_tokens`,
    );
    this.addEvents = db.prepare<[string, string, string, number, number]>(
      `INSERT INTO counter_cap_events (user_id, day, activity, events, expires_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, day, activity) DO UPDATE SET events = MAX(0, events + excluded.events)`,
    );
    this.addTokens = db.prepare<[string, string, number, number]>(
      `INSERT INTO counter_cap_tokens (user_id, period, tokens, expires_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, period) DO UPDATE SET tokens = MAX(0, tokens + excluded.tokens)`,
    );
    // Gives back only to rows that still exist (a period that expired has nothing to give back to).
    this.takeEvents = db.prepare<[number, string, string, string]>('UPDATE counter_cap_events SET events = MAX(0, events - ?) WHERE user_id = ? AND day = ? AND activity = ?');
    this.takeTokens = db.prepare<[number, string, string]>('UPDATE counter_cap_tokens SET tokens = MAX(0, tokens - ?) WHERE user_id = ? AND period = ?');
    this.writeTx = db.transaction(() => {
      this.undoWrite = this.writeIn();
    });
  }

  async reserve(input: CapReserveInput): Promise<CapReserveResult> {
    assertReserveInput(input);
    this.sweep(input.at.getTime());
    // From here to the return nothing awaits: the read, the decision and the pending change are one step in the process.
    const { day, week } = periodKeys(input.at);
    const now = input.at.getTime();
    const usage = this.read(input.userId, input.activity, day, week, now);
    const decision = decideCap(input.amount, usage, input.limits);
    const reservation: CapReservation = { userId: input.userId, activity: input.activity, day, week, events: decision.eventsAdded, tokens: decision.granted };
    if (decision.eventsAdded > 0) {
      this.change('events', input.userId, day, input.activity, decision.eventsAdded, now + DAY_KEY_TTL_SECONDS * 1000);
      if (decision.granted > 0) {
        this.change('tokens', input.userId, dayPeriod(day), '', decision.granted, now + DAY_KEY_TTL_SECONDS * 1000);
        this.change('tokens', input.userId, weekPeriod(week), '', decision.granted, now + WEEK_KEY_TTL_SECONDS * 1000);
      }
      usage.activityEvents += decision.eventsAdded;
      usage.dailyTokens += decision.granted;
      usage.weeklyTokens += decision.granted;
    }
    return { granted: decision.granted, ...(decision.reason ? { reason: decision.reason } : {}), reservation, usage };
  }

  async release(r: CapReservation): Promise<void> {
    if (r.events === 0 && r.tokens === 0) return;
    // Expiry 0: a release never creates a row (writeIn gives back only to rows that exist).
    this.change('events', r.userId, r.day, r.activity, -r.events, 0);
    this.change('tokens', r.userId, dayPeriod(r.day), '', -r.tokens, 0);
    this.change('tokens', r.userId, weekPeriod(r.week), '', -r.tokens, 0);
  }

  async usage(input: { userId: string; activity: ActivityId; at: Date; limits: CapLimits }): Promise<CapUsageResult> {
    const { day, week } = periodKeys(input.at);
    const usage = this.read(input.userId, input.activity, day, week, input.at.getTime());
    return { usage, remaining: remainingCaps(usage, input.limits), day, week };
  }

  /**
   * Writes every pending row change; the caller holds a transaction open (the SQLite ledger
   * store's post, or `flush`). Answers how to put the changes back in memory if that transaction
   * rolls back, so a rolled-back ledger batch loses no reservation.
   */
  writeIn(): () => void {
    if (this.pending.size === 0) return NO_UNDO;
    const written = this.pending;
    this.pending = new Map();
    const undo = (): void => {
      // Changes decided after this write stay on top of the restored ones.
      for (const [key, row] of written) {
        const later = this.pending.get(key);
        this.pending.set(key, later ? { ...row, delta: row.delta + later.delta, expiresMs: Math.max(row.expiresMs, later.expiresMs) } : row);
      }
    };
    try {
      for (const row of written.values()) {
        if (row.delta > 0) {
          if (row.table === 'events') this.addEvents.run(row.userId, row.period, row.activity, row.delta, row.expiresMs);
          else this.addTokens.run(row.userId, row.period, row.delta, row.expiresMs);
        } else if (row.delta < 0) {
          if (row.table === 'events') this.takeEvents.run(-row.delta, row.userId, row.period, row.activity);
          else this.takeTokens.run(-row.delta, row.userId, row.period);
        }
      }
    } catch (err) {
      undo();
      throw err;
    }
    return undo;
  }

  /** Writes the pending row changes in a transaction of their own (the timer, and before the database closes). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.size === 0 || !this.db.open) return;
    this.undoWrite = NO_UNDO;
    try {
      this.writeTx.immediate();
    } catch (err) {
      this.undoWrite();
      throw err;
    } finally {
      this.undoWrite = NO_UNDO;
    }
  }

  private change(table: PendingCapRow['table'], userId: string, period: string, activity: string, delta: number, expiresMs: number): void {
    if (delta === 0) return;
    const key = `${table}\u0000${userId}\u0000${period}\u0000${activity}`;
    const row = this.pending.get(key);
    if (row) {
      row.delta += delta;
      row.expiresMs = Math.max(row.expiresMs, expiresMs);
    } else this.pending.set(key, { table, userId, period, activity, delta, expiresMs });
    this.timer ??= setTimeout(() => this.flushLater(), CAP_WRITE_DELAY_MS);
    this.timer.unref();
  }

  private flushLater(): void {
    this.timer = null;
    try {
      this.flush();
    } catch {
      // The changes stay pending (flush put them back) and the next reservation, ledger post or
      // timer writes them; a database that cannot be written fails the ledger's posts too.
      if (this.pending.size > 0) this.timer ??= setTimeout(() => this.flushLater(), CAP_WRITE_DELAY_MS);
    }
  }

  /** The stored rows plus the changes not yet written. */
  private read(userId: string, activity: string, day: string, week: string, now: number) {
    const row = this.usageOf.get(userId, day, activity, now, userId, dayPeriod(day), now, userId, weekPeriod(week), now);
    return {
      activityEvents: this.stored(row?.events, 'events', userId, day, activity),
      dailyTokens: this.stored(row?.day_tokens, 'tokens', userId, dayPeriod(day), ''),
      weeklyTokens: this.stored(row?.week_tokens, 'tokens', userId, weekPeriod(week), ''),
    };
  }

  private stored(value: number | null | undefined, table: PendingCapRow['table'], userId: string, period: string, activity: string): number {
    const delta = this.pending.get(`${table}\u0000${userId}\u0000${period}\u0000${activity}`)?.delta ?? 0;
    return Math.max(0, (value ?? 0) + delta);
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
export function sqliteCounters(db: SqliteDb): Counters & { caps: SqliteCapCounter } {
  return { caps: new SqliteCapCounter(db), pinLockout: new SqlitePinLockout(db), budgets: new SqliteDailyBudgetCounter(db), combos: new SqliteGiftComboCounter(db) };
}
