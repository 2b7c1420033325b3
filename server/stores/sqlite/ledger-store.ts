import type { Statement } from 'better-sqlite3';
import type { SqliteDb } from './db.js';
import { checkPageLimit, toPage } from '../page.js';
import { judgeAudit } from '../../ledger/audit.js';
import {
  NO_ACTIVITY,
  userAccount,
  type AccountId,
  type AccountState,
  type ActivitySumsQuery,
  type AllUsersSumsQuery,
  type AuditReport,
  type EntryKind,
  type HistoryQuery,
  type JournalEntry,
  type LedgerFaults,
  type LedgerStore,
  type Leg,
  type RankField,
  type StoredPostOutcome,
} from '../../ledger/ports.js';
import { LedgerInvariantError, ZERO_ACCOUNT, assertSameLegs, userIdOf } from '../../ledger/rules.js';
import { accountsOf, assertPostable, assertWriteReadBack, claimKeysOf, keysOf, planPosting, withTransfer, companionFor, type AccountSnapshot, type AccountWrite, type ClaimWrite, type PostingInputs } from '../../ledger/posting-plan.js';
import type { SqliteEntryCompanions } from './entry-companions.js';


const DDL = `
CREATE TABLE IF NOT EXISTS ledger_accounts (
  account TEXT PRIMARY KEY,
  balance INTEGER NOT NULL DEFAULT 0,
  total_earned INTEGER NOT NULL DEFAULT 0,
  total_spent INTEGER NOT NULL DEFAULT 0,
  total_gifted INTEGER NOT NULL DEFAULT 0,
  total_received INTEGER NOT NULL DEFAULT 0,
  carry_nanos INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS ledger_entries (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  activity TEXT,
  room_id TEXT,
  message TEXT,
  metadata TEXT NOT NULL,
  actor_id TEXT,
  created_at INTEGER NOT NULL
);
-- One row per leg, keyed by account first: a user's history and statistics are range scans.
CREATE TABLE IF NOT EXISTS ledger_legs (
  account TEXT NOT NULL,
  entry_id TEXT NOT NULL REFERENCES ledger_entries(id),
  amount INTEGER NOT NULL CHECK (amount <> 0),
  kind TEXT NOT NULL,
  activity TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account, entry_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ledger_legs_entry ON ledger_legs (entry_id);
-- Bounded counters taken in the posting transaction (EntryDraft.claims: stock, per-user limits).
CREATE TABLE IF NOT EXISTS ledger_claims (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL CHECK (count >= 0)
) WITHOUT ROWID;
`;

// Indexes for the economy-wide reads: a room's entries newest first, rankings by balance and by
// lifetime earned, and time windows over all legs (analytics). The rankings cover user accounts
// only (every ranking read is limited to them), so the system accounts that every award and
// purchase moves (issuance, the sink) no longer rewrite two index entries per post; the
// whole-table indexes of earlier data files are dropped on open.
const QUERY_DDL = `
CREATE INDEX IF NOT EXISTS ledger_entries_room ON ledger_entries (room_id, id);
DROP INDEX IF EXISTS ledger_accounts_balance;
DROP INDEX IF EXISTS ledger_accounts_earned;
CREATE INDEX IF NOT EXISTS ledger_accounts_user_balance ON ledger_accounts (balance DESC, account) WHERE account >= 'user:' AND account < 'user;';
CREATE INDEX IF NOT EXISTS ledger_accounts_user_earned ON ledger_accounts (total_earned DESC, account) WHERE account >= 'user:' AND account < 'user;';
CREATE INDEX IF NOT EXISTS ledger_legs_created ON ledger_legs (created_at);
CREATE INDEX IF NOT EXISTS ledger_legs_received_credits ON ledger_legs (account, created_at) WHERE amount > 0 AND kind IN ('gift', 'grant');
`;

/**
 * Credits received from someone else (gifts, room rewards and grants): the gift rules' vesting
 * reads a user's recent ones on every gift. Their own partial index (above, the same terms, so the
 * planner can prove it usable) bounds that read to the window; the legs' primary key alone made it
 * read every leg the user ever had (3 ms at 30,000 legs). Earn legs, most of the table, are not in it.
 */
const RECEIVED_CREDITS = "amount > 0 AND kind IN ('gift', 'grant')";
const RECEIVED_KINDS: readonly EntryKind[] = ['gift', 'grant'];

/** User accounts as a key range ('user;' is the first string after every 'user:...'), so the primary key serves it. */
const USER_ACCOUNTS = "account >= 'user:' AND account < 'user;'";
/** A UTC day in milliseconds (created_at is epoch ms, so created_at / DAY_MS is the day number). */
const DAY_MS = 86_400_000;

const RANK_COLUMN: Record<RankField, string> = { balance: 'balance', totalEarned: 'total_earned' };
/**
 * The index each ranking reads, named so the planner cannot pick the key range instead: without
 * ANALYZE statistics it did, sorting every user row for a top-10 page.
 */
const RANK_INDEX: Record<RankField, string> = { balance: 'ledger_accounts_user_balance', totalEarned: 'ledger_accounts_user_earned' };

/** The WHERE clause and parameters of a leg filter (direction, kinds, time window) after `base`. */
function legFilter(base: string[], params: (string | number)[], query: AllUsersSumsQuery): { sql: string; params: (string | number)[] } {
  const where = [...base, query.direction === 'credit' ? 'amount > 0' : 'amount < 0'];
  const out = [...params];
  if (query.kinds) {
    where.push(`kind IN (${query.kinds.map(() => '?').join(', ')})`);
    out.push(...query.kinds);
  }
  if (query.since) {
    where.push('created_at >= ?');
    out.push(query.since.getTime());
  }
  if (query.until) {
    where.push('created_at < ?');
    out.push(query.until.getTime());
  }
  return { sql: where.join(' AND '), params: out };
}

/** Legs' totals per activity, entries without one under NO_ACTIVITY. */
function byActivity(rows: Array<{ activity: string | null; total: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.activity ?? NO_ACTIVITY] = (out[r.activity ?? NO_ACTIVITY] ?? 0) + r.total;
  return out;
}

interface EntryRow {
  id: string;
  idempotency_key: string;
  kind: EntryKind;
  activity: string | null;
  room_id: string | null;
  message: string | null;
  metadata: string;
  actor_id: string | null;
  created_at: number;
}

interface AccountRow {
  account: string;
  balance: number;
  total_earned: number;
  total_spent: number;
  total_gifted: number;
  total_received: number;
  carry_nanos: number;
}

const toState = (row: AccountRow | undefined): AccountState =>
  row
    ? { balance: row.balance, totalEarned: row.total_earned, totalSpent: row.total_spent, totalGifted: row.total_gifted, totalReceived: row.total_received }
    : { ...ZERO_ACCOUNT };

/** Values per `IN (...)` read: far below SQLite's parameter limit, and a batch is usually smaller. */
const IN_CHUNK_MAX = 500;

/**
 * Rows per multi-row INSERT, largest first: a batch is cut greedily into these sizes, so one
 * statement per size and table is ever prepared, and a 100-entry batch takes four per table.
 * 64 rows stay far below SQLite's bound-parameter limit (9 columns x 64 = 576).
 */
const INSERT_CHUNK_SIZES = [64, 16, 4, 1] as const;

/** `items` cut into consecutive chunks whose lengths are INSERT_CHUNK_SIZES, largest first. */
function chunked<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  let i = 0;
  for (const size of INSERT_CHUNK_SIZES) {
    while (items.length - i >= size) {
      out.push(items.slice(i, i + size));
      i += size;
    }
  }
  return out;
}

/** The carry value an account upsert sends to leave the stored remainder as it is (see applyWrites). */
const KEEP_CARRY = -1;

/** Data files created before the award carry existed get the column (default 0) on open. */
function addCarryColumn(db: SqliteDb): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(ledger_accounts)').all();
  if (!columns.some((c) => c.name === 'carry_nanos')) db.exec('ALTER TABLE ledger_accounts ADD COLUMN carry_nanos INTEGER NOT NULL DEFAULT 0');
}

/**
 * The ledger on SQLite. better-sqlite3 is synchronous, so one `post()` runs to its end without
 * another JavaScript caller interleaving; the transaction still matters for crashes and for a
 * second process on the same file (the audit CLI, or a second server). The posting rules are the
 * planner's (server/ledger/posting-plan.ts): this adapter reads the batch's keys and account rows,
 * inserts the planned entries and applies one summed write per account, then the bounded counters
 * and the posted entries' companion writes (EntryDraft.transfer, from `companions`), all in the
 * one transaction.
 */
export function createSqliteLedgerStore(db: SqliteDb, opts: { faults?: LedgerFaults; companions?: SqliteEntryCompanions } = {}): LedgerStore {
  db.exec(DDL);
  addCarryColumn(db);
  db.exec(QUERY_DDL);
  const { faults, companions } = opts;

  const stmt = {
    entryByKey: db.prepare<[string], EntryRow>('SELECT * FROM ledger_entries WHERE idempotency_key = ?'),
    entryById: db.prepare<[string], EntryRow>('SELECT * FROM ledger_entries WHERE id = ?'),
    legsOf: db.prepare<[string], { account: AccountId; amount: number }>('SELECT account, amount FROM ledger_legs WHERE entry_id = ? ORDER BY amount, account'),
    account: db.prepare<[string], AccountRow>('SELECT * FROM ledger_accounts WHERE account = ?'),
    // A new counter is inserted (only a take creates one); an existing one moves by the delta.
    insertClaim: db.prepare<[string, number], { count: number }>('INSERT INTO ledger_claims (key, count) VALUES (?, ?) RETURNING count'),
    moveClaim: db.prepare<[number, string], { count: number }>('UPDATE ledger_claims SET count = count + ? WHERE key = ? RETURNING count'),
  };

  // History and statistics build their WHERE clause from the query's options: a handful of
  // shapes, each prepared once.
  const prepared = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let st = prepared.get(sql);
    if (!st) prepared.set(sql, (st = db.prepare(sql)));
    return st;
  };

  function readEntry(row: EntryRow): JournalEntry {
    return toEntry(row, stmt.legsOf.all(row.id));
  }

  function toEntry(row: EntryRow, legs: Leg[]): JournalEntry {
    return {
      id: row.id,
      kind: row.kind,
      legs,
      idempotencyKey: row.idempotency_key,
      activity: row.activity,
      roomId: row.room_id,
      message: row.message,
      metadata: JSON.parse(row.metadata) as Record<string, unknown>,
      actorId: row.actor_id,
      createdAt: new Date(row.created_at),
    };
  }

  /**
   * One page of entries newest first, found by an indexed (key, entry id) pair: a user's legs for
   * history, a room's entries for its rewards. The cursor is the last entry id of the page.
   */
  function entryPage(
    source: { table: 'ledger_legs' | 'ledger_entries'; keyColumn: 'account' | 'room_id'; idColumn: 'entry_id' | 'id' },
    key: string,
    query: HistoryQuery,
  ): { items: JournalEntry[]; nextCursor: string | null } {
    const where = [`${source.keyColumn} = ?`];
    const params: (string | number)[] = [key];
    if (query.kind) {
      where.push('kind = ?');
      params.push(query.kind);
    }
    if (query.before) {
      where.push(`${source.idColumn} < ?`);
      params.push(query.before);
    }
    checkPageLimit(query.limit);
    params.push(query.limit + 1);
    const sql = `SELECT ${source.idColumn} AS id FROM ${source.table} WHERE ${where.join(' AND ')} ORDER BY ${source.idColumn} DESC LIMIT ?`;
    const page = toPage(prepare(sql).all(...params) as Array<{ id: string }>, query.limit);
    return { items: page.items.map((r) => readEntry(stmt.entryById.get(r.id)!)), nextCursor: page.nextCursor };
  }

  /** Statements whose shape depends on the number of legs or keys, prepared once per size. */
  const inList = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
  const accountsIn = (n: number): Statement<unknown[], AccountRow> => prepare(`SELECT * FROM ledger_accounts WHERE account IN (${inList(n)})`) as Statement<unknown[], AccountRow>;
  const entriesByKeyIn = (n: number): Statement<unknown[], EntryRow> => prepare(`SELECT * FROM ledger_entries WHERE idempotency_key IN (${inList(n)})`) as Statement<unknown[], EntryRow>;
  const claimsIn = (n: number): Statement<unknown[], { key: string; count: number }> =>
    prepare(`SELECT key, count FROM ledger_claims WHERE key IN (${inList(n)})`) as Statement<unknown[], { key: string; count: number }>;
  // Multi-row inserts: a batch's entries and legs go in a few statements instead of two per
  // entry, since each statement's bind-and-step round trip is a fixed cost a batch can share.
  // RETURNING is the read-back, checked against the plan (its row order is unspecified: matched by id).
  const insertEntriesOf = (n: number): Statement<unknown[], { id: string }> =>
    prepare(
      `INSERT INTO ledger_entries (id, idempotency_key, kind, activity, room_id, message, metadata, actor_id, created_at) VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} RETURNING id`,
    ) as Statement<unknown[], { id: string }>;
  const insertLegsOf = (n: number): Statement<unknown[], { entry_id: string; account: AccountId; amount: number }> =>
    prepare(
      `INSERT INTO ledger_legs (account, entry_id, amount, kind, activity, created_at) VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?)').join(', ')} RETURNING entry_id, account, amount`,
    ) as Statement<unknown[], { entry_id: string; account: AccountId; amount: number }>;

  const upsertAccountsOf = (n: number): Statement<unknown[], AccountRow> =>
    prepare(
      `INSERT INTO ledger_accounts (account, balance, total_earned, total_spent, total_gifted, total_received, carry_nanos)
       VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT (account) DO UPDATE SET balance = balance + excluded.balance, total_earned = total_earned + excluded.total_earned,
         total_spent = total_spent + excluded.total_spent, total_gifted = total_gifted + excluded.total_gifted,
         total_received = total_received + excluded.total_received,
         carry_nanos = CASE WHEN excluded.carry_nanos = ${KEEP_CARRY} THEN carry_nanos ELSE excluded.carry_nanos END
       RETURNING *`,
    ) as Statement<unknown[], AccountRow>;

  /** Rows matching `values`, read in chunks so a large batch stays under SQLite's parameter limit. */
  function readIn<T>(values: readonly string[], statement: (n: number) => Statement<unknown[], T>): T[] {
    const out: T[] = [];
    for (let i = 0; i < values.length; i += IN_CHUNK_MAX) {
      const chunk = values.slice(i, i + IN_CHUNK_MAX);
      out.push(...statement(chunk.length).all(...chunk));
    }
    return out;
  }

  /** What the planner needs: the batch's keys already in the journal, and its accounts' rows. */
  function readInputs(entries: readonly JournalEntry[]): PostingInputs {
    const existing = new Map<string, JournalEntry>();
    for (const row of readIn(keysOf(entries), entriesByKeyIn)) existing.set(row.idempotency_key, readEntry(row));
    const accounts = new Map<string, AccountSnapshot>();
    for (const row of readIn(accountsOf(entries), accountsIn)) accounts.set(row.account, { state: toState(row), carryNanos: row.carry_nanos });
    const claims = new Map<string, number>();
    for (const row of readIn(claimKeysOf(entries), claimsIn)) claims.set(row.key, row.count);
    // Each companion write's condition, read by the store that owns its records, in this transaction.
    const transfers = new Map(withTransfer(entries).map((e) => [e.id, companionFor(companions, e.transfer).refusal(e.transfer)] as const));
    return { existing, accounts, claims, transfers };
  }

  /** Applies one bounded counter's summed batch write and checks the count it returns. */
  function applyClaim(write: ClaimWrite): void {
    const row = write.before === null ? stmt.insertClaim.get(write.key, write.delta) : stmt.moveClaim.get(write.delta, write.key);
    if (row?.count !== write.after) throw new LedgerInvariantError(`claim ${write.key} read back differs from the write`, { key: write.key, expected: write.after, actual: row?.count });
  }

  /**
   * Inserts the planned entries and their legs, in multi-row statements of INSERT_CHUNK_SIZES rows,
   * and checks that every entry and exactly its legs were read back.
   */
  function insertEntries(entries: readonly JournalEntry[]): void {
    const written = new Set<string>();
    for (const chunk of chunked(entries)) {
      const params: unknown[] = [];
      for (const e of chunk) params.push(e.id, e.idempotencyKey, e.kind, e.activity, e.roomId, e.message, JSON.stringify(e.metadata ?? {}), e.actorId, e.createdAt.getTime());
      for (const row of insertEntriesOf(chunk.length).all(...params)) written.add(row.id);
    }
    const legsBack = new Map<string, Leg[]>();
    // In primary-key order, so each insert lands next to the previous one in the legs' B-tree.
    const legs = entries.flatMap((e) => e.legs.map((leg) => ({ e, leg })));
    legs.sort((a, b) => (a.leg.account < b.leg.account ? -1 : a.leg.account > b.leg.account ? 1 : a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0));
    for (const chunk of chunked(legs)) {
      const params: unknown[] = [];
      for (const { e, leg } of chunk) params.push(leg.account, e.id, leg.amount, e.kind, e.activity, e.createdAt.getTime());
      for (const row of insertLegsOf(chunk.length).all(...params)) {
        const back = legsBack.get(row.entry_id) ?? [];
        back.push({ account: row.account, amount: row.amount });
        legsBack.set(row.entry_id, back);
      }
    }
    for (const e of entries) {
      if (!written.has(e.id)) throw new LedgerInvariantError(`entry ${e.idempotencyKey} was not read back`, { id: e.id });
      assertSameLegs(e, { legs: legsBack.get(e.id) ?? [] });
    }
  }

  /**
   * Applies every account's summed batch write, a few multi-row upserts per batch (chunked like
   * the inserts), and checks each row they return against the plan. An upsert creates the row on
   * first use and adds the summed legs. The carry column takes the planned remainder when a posted
   * award set one; KEEP_CARRY asks the update to leave it as stored (never a real remainder, which
   * is >= 0; a new row is never sent it: a row the plan saw absent starts at 0).
   */
  function applyWrites(writes: readonly AccountWrite[]): void {
    const back = new Map<string, AccountRow>();
    for (const chunk of chunked(writes)) {
      const params: unknown[] = [];
      for (const w of chunk) {
        const d = w.delta;
        params.push(w.account, d.balance, d.totalEarned, d.totalSpent, d.totalGifted, d.totalReceived, w.carryNanos ?? (w.before === null ? 0 : KEEP_CARRY));
      }
      for (const row of upsertAccountsOf(chunk.length).all(...params)) back.set(row.account, row);
    }
    for (const write of writes) {
      const row = back.get(write.account);
      if (!row) throw new LedgerInvariantError(`account ${write.account} was not read back`, { account: write.account });
      assertWriteReadBack(write, toState(row), row.carry_nanos);
    }
  }

  /**
   * One batch in one transaction: read what the plan needs, plan, apply. better-sqlite3 runs it to
   * its end without another JavaScript caller interleaving, and BEGIN IMMEDIATE (see post) keeps
   * another process out between the reads and the writes.
   */
  const postBatch = db.transaction((entries: readonly JournalEntry[]): StoredPostOutcome[] => {
    const plan = planPosting(entries, readInputs(entries));
    insertEntries(plan.inserts);
    if (plan.inserts.length > 0) faults?.afterJournalInsert?.();
    applyWrites(plan.writes);
    for (const write of plan.claimWrites) applyClaim(write);
    for (const { entry, transfer } of plan.transfers) companionFor(companions, transfer).apply(transfer, entry);
    if (plan.transfers.length > 0) faults?.afterTransfers?.();
    return plan.outcomes;
  });

  return {
    async post(entries) {
      if (entries.length === 0) return [];
      assertPostable(entries);
      // BEGIN IMMEDIATE takes the write lock up front: with two server processes on one file, a
      // deferred transaction that read first could not upgrade to writing (SQLITE_BUSY without
      // waiting); an immediate one waits for the other process within busy_timeout.
      return postBatch.immediate(entries);
    },

    async account(userId) {
      return toState(stmt.account.get(userAccount(userId)));
    },

    async claimCounts(keys) {
      const out: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
      for (const row of readIn([...new Set(keys)], claimsIn)) out[row.key] = row.count;
      return out;
    },

    async accounts(userIds) {
      const out: Record<string, AccountState> = {};
      for (const id of userIds) out[id] = toState(stmt.account.get(userAccount(id)));
      return out;
    },

    async accountWithCarry(userId) {
      const row = stmt.account.get(userAccount(userId));
      return { account: toState(row), carryNanos: row?.carry_nanos ?? 0 };
    },

    async findByIdempotencyKey(key) {
      const row = stmt.entryByKey.get(key);
      return row ? readEntry(row) : null;
    },

    async history(userId, query: HistoryQuery) {
      return entryPage({ table: 'ledger_legs', keyColumn: 'account', idColumn: 'entry_id' }, userAccount(userId), query);
    },

    async sumsByActivity(userId, query: ActivitySumsQuery) {
      if (query.kinds && query.kinds.length === 0) return {};
      const f = legFilter(['account = ?'], [userAccount(userId)], query);
      const received = query.direction === 'credit' && query.since !== undefined && query.kinds !== undefined && query.kinds.every((k) => RECEIVED_KINDS.includes(k));
      const rows = received
        ? prepare(`SELECT activity, SUM(ABS(amount)) AS total FROM ledger_legs INDEXED BY ledger_legs_received_credits WHERE ${RECEIVED_CREDITS} AND ${f.sql} GROUP BY activity`).all(...f.params)
        : prepare(`SELECT activity, SUM(ABS(amount)) AS total FROM ledger_legs WHERE ${f.sql} GROUP BY activity`).all(...f.params);
      return byActivity(rows as Array<{ activity: string | null; total: number }>);
    },

    async roomEntries(roomId, query) {
      return entryPage({ table: 'ledger_entries', keyColumn: 'room_id', idColumn: 'id' }, roomId, query);
    },

    async topAccounts(query) {
      const col = RANK_COLUMN[query.by];
      const rows = prepare(`SELECT * FROM ledger_accounts INDEXED BY ${RANK_INDEX[query.by]} WHERE ${col} > 0 AND ${USER_ACCOUNTS} ORDER BY ${col} DESC, account ASC LIMIT ? OFFSET ?`).all(
        query.limit,
        query.offset ?? 0,
      ) as AccountRow[];
      return rows.map((r) => ({ userId: userIdOf(r.account as `user:${string}`), account: toState(r) }));
    },

    async countAccountsAtLeast(by, mins) {
      const st = prepare(`SELECT COUNT(*) AS n FROM ledger_accounts INDEXED BY ${RANK_INDEX[by]} WHERE ${RANK_COLUMN[by]} >= ? AND ${USER_ACCOUNTS}`);
      return mins.map((min) => (st.get(min) as { n: number }).n);
    },

    async userBalanceStats() {
      return db.transaction(() => {
        const { n, total } = prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(balance), 0) AS total FROM ledger_accounts WHERE ${USER_ACCOUNTS}`).get() as { n: number; total: number };
        if (n === 0) return { accounts: 0, balanceSum: 0, medianBalance: 0 };
        const middle = prepare(`SELECT balance FROM ledger_accounts INDEXED BY ${RANK_INDEX.balance} WHERE ${USER_ACCOUNTS} ORDER BY balance DESC LIMIT ? OFFSET ?`).all(n % 2 === 0 ? 2 : 1, Math.floor((n - 1) / 2)) as Array<{ balance: number }>;
        const medianBalance = middle.reduce((sum, r) => sum + r.balance, 0) / middle.length;
        return { accounts: n, balanceSum: total, medianBalance };
      })();
    },

    async allUsersSumsByActivity(query) {
      if (query.kinds && query.kinds.length === 0) return {};
      const f = legFilter([USER_ACCOUNTS], [], query);
      const rows = prepare(`SELECT activity, SUM(ABS(amount)) AS total FROM ledger_legs WHERE ${f.sql} GROUP BY activity`).all(...f.params);
      return byActivity(rows as Array<{ activity: string | null; total: number }>);
    },

    async allUsersDailySumsByActivity(query) {
      if (query.kinds && query.kinds.length === 0) return [];
      const f = legFilter([USER_ACCOUNTS], [], query);
      // created_at is epoch milliseconds: integer division by a day's length is the UTC day.
      const rows = prepare(
        `SELECT created_at / ${DAY_MS} AS d, activity, SUM(ABS(amount)) AS total FROM ledger_legs WHERE ${f.sql} GROUP BY d, activity ORDER BY d, activity`,
      ).all(...f.params) as Array<{ d: number; activity: string | null; total: number }>;
      return rows.map((r) => ({ day: new Date(r.d * DAY_MS).toISOString().slice(0, 10), activity: r.activity ?? NO_ACTIVITY, total: r.total }));
    },

    async countActiveUsers(query) {
      if (query.kinds && query.kinds.length === 0) return 0;
      const f = legFilter([USER_ACCOUNTS], [], query);
      return (prepare(`SELECT COUNT(DISTINCT account) AS n FROM ledger_legs WHERE ${f.sql}`).get(...f.params) as { n: number }).n;
    },

    async netFlows(accounts, since) {
      const st = prepare('SELECT COALESCE(SUM(amount), 0) AS total FROM ledger_legs WHERE account = ? AND created_at >= ?');
      const out: Record<string, number> = {};
      for (const account of accounts) out[account] = (st.get(account, since?.getTime() ?? Number.MIN_SAFE_INTEGER) as { total: number }).total;
      return out;
    },

    async firstEntryAt() {
      const row = prepare('SELECT MIN(created_at) AS first FROM ledger_legs').get() as { first: number | null };
      return row.first === null ? null : new Date(row.first);
    },

    async topEarnersBetween(query) {
      if (query.kinds.length === 0) return [];
      // The created_at index bounds the scan to the window; the rest is grouped in memory by SQLite.
      const rows = prepare(
        `SELECT account, SUM(amount) AS earned FROM ledger_legs WHERE created_at >= ? AND created_at < ? AND amount > 0 AND ${USER_ACCOUNTS}
           AND kind IN (${query.kinds.map(() => '?').join(', ')}) GROUP BY account ORDER BY earned DESC, account ASC LIMIT ?`,
      ).all(query.since.getTime(), query.until.getTime(), ...query.kinds, query.limit) as Array<{ account: string; earned: number }>;
      return rows.map((r) => ({ userId: userIdOf(r.account as `user:${string}`), earned: r.earned }));
    },

    async audit(): Promise<AuditReport> {
      // One read transaction: the facts come from one consistent snapshot.
      return db.transaction(() => {
        const entries = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM ledger_entries').get()!.n;
        const unbalanced = db
          .prepare<[], { entryId: string; sum: number }>(
            `SELECT e.id AS entryId, COALESCE(SUM(l.amount), 0) AS sum FROM ledger_entries e LEFT JOIN ledger_legs l ON l.entry_id = e.id
             GROUP BY e.id HAVING COALESCE(SUM(l.amount), 0) <> 0 OR COUNT(l.entry_id) < 2`,
          )
          .all();
        const journalSums: Record<string, number> = {};
        for (const r of db.prepare<[], { account: string; sum: number }>('SELECT account, SUM(amount) AS sum FROM ledger_legs GROUP BY account').all()) {
          journalSums[r.account] = r.sum;
        }
        const balances: Record<string, number> = {};
        for (const r of db.prepare<[], { account: string; balance: number }>('SELECT account, balance FROM ledger_accounts').all()) {
          balances[r.account] = r.balance;
        }
        return judgeAudit({ entries, unbalanced, journalSums, balances });
      })();
    },
  };
}
