import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDb } from '../../server/stores/sqlite/db.js';
import { CAP_WRITE_DELAY_MS, sqliteCounters } from '../../server/stores/sqlite/counters.js';
import { createSqliteLedgerStore, type PostingRider } from '../../server/stores/sqlite/ledger-store.js';
import { openBackend } from '../../server/stores/backend.js';
import { createStores } from '../../server/stores/create-stores.js';
import { createLogger } from '../../server/lib/logger.js';
import { earnEntry } from '../../server/ledger/entries.js';
import type { JournalEntry } from '../../server/ledger/ports.js';
import { newId } from '../../server/lib/ids.js';

/**
 * The embedded cap counter decides a reservation at once and writes it inside the next ledger
 * posting transaction (issue 16: no commit of its own per award). These tests pin when the rows
 * reach the file: with the next post, on their own when no post comes, again after a rolled-back
 * post, and before the database closes.
 */
const dirs: string[] = [];
const dbs: SqliteDb[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'caps-ledger-'));
  dirs.push(dir);
  return dir;
}

function open(riders: (caps: PostingRider) => PostingRider[] = (caps) => [caps]) {
  const db = openSqlite(join(tempDir(), 'data.db'));
  dbs.push(db);
  const counters = sqliteCounters(db);
  const ledger = createSqliteLedgerStore(db, { riders: riders(counters.caps) });
  return { db, caps: counters.caps, ledger };
}

const at = new Date('2026-01-07T10:00:00Z');
const limits = { activityEventsMax: 100, dailyTokensMax: 500, weeklyTokensMax: 3000 };
const reserve = (caps: ReturnType<typeof open>['caps'], amount: number, userId = 'u1') => caps.reserve({ userId, activity: 'send_message', amount, at, limits });
const earn = (userId: string, amount: number): JournalEntry => ({ ...earnEntry(userId, amount, { idempotencyKey: `earn:test:${newId()}`, activity: 'send_message' }), id: newId(), createdAt: at });

/** The counter rows as stored in the file (not what the counter holds in memory). */
function stored(db: SqliteDb) {
  const events = db.prepare('SELECT user_id, day, activity, events FROM counter_cap_events ORDER BY user_id').all();
  const tokens = db.prepare('SELECT user_id, period, tokens FROM counter_cap_tokens ORDER BY user_id, period').all();
  return { events, tokens };
}

describe('embedded cap counter: reservations written in the ledger transaction', () => {
  it('a reservation counts at once and reaches the file with the next ledger post', async () => {
    const { db, caps, ledger } = open();
    expect((await reserve(caps, 3)).granted).toBe(3);
    // Decided and counted, not yet written.
    expect((await caps.usage({ userId: 'u1', activity: 'send_message', at, limits })).usage).toEqual({ activityEvents: 1, dailyTokens: 3, weeklyTokens: 3 });
    expect(stored(db)).toEqual({ events: [], tokens: [] });
    const [outcome] = await ledger.post([earn('u1', 3)]);
    expect(outcome?.status).toBe('posted');
    expect(stored(db)).toEqual({
      events: [{ user_id: 'u1', day: '2026-01-07', activity: 'send_message', events: 1 }],
      tokens: [
        { user_id: 'u1', period: 'd:2026-01-07', tokens: 3 },
        { user_id: 'u1', period: 'w:2026-W02', tokens: 3 },
      ],
    });
    // Written once: a later post adds nothing.
    await ledger.post([earn('u2', 1)]);
    expect(stored(db).tokens).toHaveLength(2);
    expect((await caps.usage({ userId: 'u1', activity: 'send_message', at, limits })).usage).toEqual({ activityEvents: 1, dailyTokens: 3, weeklyTokens: 3 });
  });

  it('the caps hold across reservations not yet written', async () => {
    const { caps } = open();
    const small = { activityEventsMax: 2, dailyTokensMax: 5, weeklyTokensMax: 3000 };
    const r1 = await caps.reserve({ userId: 'u1', activity: 'send_message', amount: 4, at, limits: small });
    const r2 = await caps.reserve({ userId: 'u1', activity: 'send_message', amount: 4, at, limits: small });
    const r3 = await caps.reserve({ userId: 'u1', activity: 'send_message', amount: 4, at, limits: small });
    expect([r1.granted, r2.granted, r3.granted]).toEqual([4, 1, 0]);
    expect([r1.reason, r2.reason, r3.reason]).toEqual([undefined, 'DAILY_CAP', 'ACTIVITY_CAP']);
  });

  it('a post that rolls back leaves the reservation in memory, and the next post writes it', async () => {
    let failing = true;
    const breaker: PostingRider = {
      writeIn() {
        if (failing) throw new Error('injected failure after the caps were written');
        return () => {};
      },
    };
    const { db, caps, ledger } = open((c) => [c, breaker]);
    await reserve(caps, 3);
    await expect(ledger.post([earn('u1', 3)])).rejects.toThrow('injected failure');
    expect(stored(db)).toEqual({ events: [], tokens: [] });
    // Another reservation decided in between adds to the one put back.
    await reserve(caps, 2);
    expect((await caps.usage({ userId: 'u1', activity: 'send_message', at, limits })).usage).toEqual({ activityEvents: 2, dailyTokens: 5, weeklyTokens: 5 });
    failing = false;
    await ledger.post([earn('u1', 5)]);
    expect(stored(db).events).toEqual([{ user_id: 'u1', day: '2026-01-07', activity: 'send_message', events: 2 }]);
    expect(stored(db).tokens).toEqual([
      { user_id: 'u1', period: 'd:2026-01-07', tokens: 5 },
      { user_id: 'u1', period: 'w:2026-W02', tokens: 5 },
    ]);
  });

  it('without a ledger post the reservation is written on its own within CAP_WRITE_DELAY_MS', async () => {
    const { db, caps } = open();
    await reserve(caps, 3);
    expect(stored(db).events).toEqual([]);
    await new Promise((r) => setTimeout(r, CAP_WRITE_DELAY_MS + 100));
    expect(stored(db).events).toEqual([{ user_id: 'u1', day: '2026-01-07', activity: 'send_message', events: 1 }]);
  });

  it('a release gives back in memory before the write and in the file after it', async () => {
    const { db, caps, ledger } = open();
    const first = await reserve(caps, 3);
    await caps.release(first.reservation);
    await ledger.post([earn('u2', 1)]);
    // Reserved and given back before any write: nothing reached the file.
    expect(stored(db)).toEqual({ events: [], tokens: [] });
    const second = await reserve(caps, 4);
    await ledger.post([earn('u1', 4)]);
    expect(stored(db).tokens).toEqual([
      { user_id: 'u1', period: 'd:2026-01-07', tokens: 4 },
      { user_id: 'u1', period: 'w:2026-W02', tokens: 4 },
    ]);
    await caps.release(second.reservation);
    caps.flush();
    expect(stored(db).events).toEqual([{ user_id: 'u1', day: '2026-01-07', activity: 'send_message', events: 0 }]);
    expect(stored(db).tokens).toEqual([
      { user_id: 'u1', period: 'd:2026-01-07', tokens: 0 },
      { user_id: 'u1', period: 'w:2026-W02', tokens: 0 },
    ]);
  });

  it('closing the stores writes what is still in memory: a restart sees it', async () => {
    const dataDir = tempDir();
    const logger = createLogger('silent');
    const stores = await createStores(await openBackend({ mongoUrl: undefined, dataDir }, logger));
    await stores.embedded!.counters.caps.reserve({ userId: 'u1', activity: 'send_message', amount: 3, at, limits });
    await stores.close();
    const again = await createStores(await openBackend({ mongoUrl: undefined, dataDir }, logger));
    try {
      expect((await again.embedded!.counters.caps.usage({ userId: 'u1', activity: 'send_message', at, limits })).usage).toEqual({ activityEvents: 1, dailyTokens: 3, weeklyTokens: 3 });
    } finally {
      await again.close();
    }
  });
});
