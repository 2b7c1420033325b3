import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDb } from '../../server/stores/sqlite/db.js';
import { createSqliteLedgerStore } from '../../server/stores/sqlite/ledger-store.js';
import { ISSUANCE, SINK, userAccount, type JournalEntry } from '../../server/ledger/ports.js';
import { earnEntry, giftEntry, refundEntry, spendEntry, type DraftInput } from '../../server/ledger/entries.js';
import { newId } from '../../server/lib/ids.js';

/**
 * The SQLite ledger applies the legs of system accounts that cannot be refused (issuance, sink
 * credits) once per batch, and gives a draft a savepoint only when its guard could refuse after a
 * write. These tests pin what that must not change: balances, refusals and the audit.
 */
const dirs: string[] = [];
const dbs: SqliteDb[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open() {
  const dir = mkdtempSync(join(tmpdir(), 'perf-ledger-'));
  dirs.push(dir);
  const db = openSqlite(join(dir, 'ledger.db'));
  dbs.push(db);
  return { db, store: createSqliteLedgerStore(db) };
}

let t = Date.parse('2026-01-05T12:00:00.000Z');
const stamp = (d: DraftInput): JournalEntry => ({ ...d, id: newId(), createdAt: new Date((t += 1000)) });
const balanceOf = (db: SqliteDb, account: string) =>
  (db.prepare('SELECT balance FROM ledger_accounts WHERE account = ?').get(account) as { balance: number } | undefined)?.balance ?? 0;

describe('SQLite ledger batch (system legs summed per batch)', () => {
  it('a batch of earns moves issuance by their total, with a per-entry user read-back', async () => {
    const { db, store } = open();
    const outcomes = await store.post([1, 2, 3, 4].map((n) => stamp(earnEntry(`u${n % 2}`, n, { idempotencyKey: `k${n}`, activity: 'test' }))));
    expect(outcomes.map((o) => o.status)).toEqual(['posted', 'posted', 'posted', 'posted']);
    // Each outcome reports the user's balance right after its own entry.
    expect(outcomes.map((o) => (o.status === 'posted' ? Object.values(o.accounts)[0]?.balance : null))).toEqual([1, 2, 4, 6]);
    expect(balanceOf(db, ISSUANCE)).toBe(-10);
    expect((await store.audit()).ok).toBe(true);
  });

  it('a refused or duplicate draft adds nothing to the batch totals', async () => {
    const { db, store } = open();
    await store.post([stamp(earnEntry('a', 5, { idempotencyKey: 'fund', activity: 'test' }))]);
    const outcomes = await store.post([
      stamp(spendEntry('a', 3, { idempotencyKey: 's1', activity: 'shop' })),
      stamp(spendEntry('a', 3, { idempotencyKey: 's2', activity: 'shop' })),
      stamp(earnEntry('a', 5, { idempotencyKey: 'fund', activity: 'test' })),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['posted', 'insufficient_funds', 'duplicate']);
    expect(balanceOf(db, SINK)).toBe(3);
    expect(balanceOf(db, ISSUANCE)).toBe(-5);
    expect(balanceOf(db, userAccount('a'))).toBe(2);
    expect((await store.audit()).ok).toBe(true);
  });

  it('a refund in the same batch as the spend it returns meets the sink guard with that spend applied', async () => {
    const { db, store } = open();
    await store.post([stamp(earnEntry('b', 10, { idempotencyKey: 'fund-b', activity: 'test' }))]);
    const outcomes = await store.post([
      stamp(spendEntry('b', 7, { idempotencyKey: 'spend-b', activity: 'shop' })),
      stamp(refundEntry('b', 7, { idempotencyKey: 'refund-b' })),
      // More than the sink ever received: refused by its guard, nothing written.
      stamp(refundEntry('b', 1, { idempotencyKey: 'refund-too-much' })),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['posted', 'posted', 'insufficient_funds']);
    expect(balanceOf(db, SINK)).toBe(0);
    expect(balanceOf(db, userAccount('b'))).toBe(10);
    expect((await store.audit()).ok).toBe(true);
  });

  it('a gift between users still refuses a sender without funds and leaves both accounts as they were', async () => {
    const { db, store } = open();
    await store.post([stamp(earnEntry('c', 4, { idempotencyKey: 'fund-c', activity: 'test' }))]);
    const outcomes = await store.post([
      stamp(giftEntry('c', 'd', 3, { idempotencyKey: 'g1' })),
      stamp(giftEntry('c', 'd', 3, { idempotencyKey: 'g2' })),
      stamp(giftEntry('nobody', 'd', 1, { idempotencyKey: 'g3' })),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['posted', 'insufficient_funds', 'insufficient_funds']);
    expect([balanceOf(db, userAccount('c')), balanceOf(db, userAccount('d'))]).toEqual([1, 3]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM ledger_accounts WHERE account = 'user:nobody'").get()).toEqual({ n: 0 });
    expect((await store.audit()).ok).toBe(true);
  });

  it('an adjustment with two guarded debits that fails on the second rolls back the first (savepoint)', async () => {
    const { db, store } = open();
    await store.post([stamp(earnEntry('e', 5, { idempotencyKey: 'fund-e', activity: 'test' })), stamp(earnEntry('f', 1, { idempotencyKey: 'fund-f', activity: 'test' }))]);
    const adjustment: DraftInput = {
      kind: 'adjustment',
      legs: [
        { account: userAccount('e'), amount: -3 },
        { account: userAccount('f'), amount: -2 },
        { account: SINK, amount: 5 },
      ],
      idempotencyKey: 'adj-1',
      activity: null,
      roomId: null,
      message: null,
      metadata: {},
      actorId: null,
    };
    const [outcome] = await store.post([stamp(adjustment)]);
    expect(outcome).toMatchObject({ status: 'insufficient_funds', account: userAccount('f') });
    expect([balanceOf(db, userAccount('e')), balanceOf(db, userAccount('f')), balanceOf(db, SINK)]).toEqual([5, 1, 0]);
    expect((await store.audit()).ok).toBe(true);
  });
});

describe('SQLite ledger ranking indexes (user accounts only)', () => {
  const indexes = (db: SqliteDb) =>
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger_accounts' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

  it('a data file with the earlier whole-table ranking indexes gets the user-only ones on open, rankings unchanged', async () => {
    const { db, store } = open();
    await store.post(['a', 'b', 'c'].map((u, i) => stamp(earnEntry(u, 10 * (i + 1), { idempotencyKey: `rank:${u}`, activity: 'test' }))));
    db.exec(`DROP INDEX ledger_accounts_user_balance; DROP INDEX ledger_accounts_user_earned;
      CREATE INDEX ledger_accounts_balance ON ledger_accounts (balance DESC, account);
      CREATE INDEX ledger_accounts_earned ON ledger_accounts (total_earned DESC, account);`);
    const reopened = createSqliteLedgerStore(db);
    expect(indexes(db)).toEqual(['ledger_accounts_user_balance', 'ledger_accounts_user_earned']);
    expect((await reopened.topAccounts({ by: 'balance', limit: 2 })).map((r) => r.userId)).toEqual(['c', 'b']);
    expect(await reopened.countAccountsAtLeast('totalEarned', [10, 25])).toEqual([3, 1]);
  });

  it('the system accounts every award moves are kept out of the ranking indexes', async () => {
    const { db, store } = open();
    await store.post([stamp(earnEntry('a', 7, { idempotencyKey: 'rank:sys', activity: 'test' }))]);
    for (const name of ['ledger_accounts_user_balance', 'ledger_accounts_user_earned']) {
      const { sql } = db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string };
      expect(sql).toContain("WHERE account >= 'user:' AND account < 'user;'");
    }
    expect(balanceOf(db, ISSUANCE)).toBe(-7);
    const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT * FROM ledger_accounts INDEXED BY ledger_accounts_user_balance WHERE balance > 0 AND account >= 'user:' AND account < 'user;' ORDER BY balance DESC, account ASC LIMIT 10").all() as Array<{ detail: string }>).map((r) => r.detail).join(' ');
    expect(plan).toContain('ledger_accounts_user_balance');
    expect(plan).not.toContain('TEMP B-TREE');
  });

  it('the gift rules\' read of recent received credits goes through its partial index, bounded by the window', async () => {
    const { db, store } = open();
    const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'ledger_legs_received_credits'").get() as { sql: string };
    expect(sql).toContain("WHERE amount > 0 AND kind IN ('gift', 'grant')");
    await store.post([stamp(earnEntry('heavy', 9, { idempotencyKey: 'recv:fund', activity: 'test' }))]);
    const reads: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((source: string) => (reads.push(source), prepare(source))) as typeof db.prepare;
    try {
      await store.sumsByActivity('heavy', { direction: 'credit', kinds: ['gift', 'grant'], since: new Date(t - 3_600_000) });
    } finally {
      db.prepare = prepare;
    }
    const read = reads.find((r) => r.includes('SUM(ABS(amount))'));
    expect(read).toBeDefined();
    const params = ['user:heavy', 'gift', 'grant', t - 3_600_000];
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${read!}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' ');
    // Without the index the read walked every leg of the user (3 ms at 30,000 legs).
    expect(plan).toContain('USING INDEX ledger_legs_received_credits (account=? AND created_at>?)');
  });
});
