import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { openSqlite } from '../../server/stores/sqlite/db.js';
import { createSqliteLedgerStore } from '../../server/stores/sqlite/ledger-store.js';
import { createLedgerService } from '../../server/ledger/ledger-service.js';
import { earnEntry, giftEntry } from '../../server/ledger/entries.js';
import type { JournalEntry, LedgerStore } from '../../server/ledger/ports.js';
import { ManualClock } from '../../server/lib/clock.js';
import { AppError } from '../../server/lib/app-error.js';

const silent = pino({ level: 'silent' });

/** A real SQLite store (in memory) that records the size of every post() call. */
function setup(opts: { batchMaxEntries?: number; batchWindowMs?: number } = {}, failKey?: string) {
  const inner = createSqliteLedgerStore(openSqlite(':memory:'));
  const calls: number[] = [];
  const store: LedgerStore = {
    ...inner,
    async post(entries: readonly JournalEntry[]) {
      calls.push(entries.length);
      if (failKey && entries.some((e) => e.idempotencyKey === failKey)) throw new Error('disk on fire');
      return inner.post(entries);
    },
  };
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  let n = 0;
  const service = createLedgerService(store, { clock, newId: () => `id-${String(++n).padStart(4, '0')}`, logger: silent }, opts);
  return { service, calls, clock };
}

const earn = (user: string, key: string, amount = 1) => earnEntry(user, amount, { idempotencyKey: key, activity: 'send_message' });

describe('LedgerService', () => {
  it('stamps ids from newId and times from the clock', async () => {
    const { service } = setup();
    const outcome = await service.post(earn('a', 'k1', 3));
    expect(outcome.status).toBe('posted');
    if (outcome.status !== 'posted') return;
    expect(outcome.entry.id).toBe('id-0001');
    expect(outcome.entry.createdAt.toISOString()).toBe('2026-03-01T10:00:00.000Z');
  });

  it('refuses a bad amount as INVALID_AMOUNT and a malformed entry as LEDGER_INVARIANT_VIOLATED, writing nothing', async () => {
    const { service, calls } = setup();
    await expect(service.post(earn('a', 'k', 0))).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
    await expect(service.post(earn('a', 'k', 2.5))).rejects.toBeInstanceOf(AppError);
    await expect(service.post(giftEntry('a', 'a', 1, { idempotencyKey: 'k' }))).rejects.toMatchObject({ code: 'LEDGER_INVARIANT_VIOLATED' });
    await expect(service.enqueue(earn('a', '', 1))).rejects.toMatchObject({ code: 'LEDGER_INVARIANT_VIOLATED' });
    expect(calls).toEqual([]);
  });

  it('groups drafts enqueued within the window into one post, each caller getting its own outcome', async () => {
    const { service, calls } = setup({ batchMaxEntries: 100, batchWindowMs: 20 });
    await service.post(earn('rich', 'fund', 1));
    const results = await Promise.all([
      service.enqueue(earn('a', 'm1')),
      service.enqueue(giftEntry('rich', 'b', 5, { idempotencyKey: 'g1' })),
      service.enqueue(earn('a', 'm1')),
      service.enqueue(earn('c', 'm2')),
    ]);
    expect(calls).toEqual([1, 4]);
    expect(results.map((r) => r.status)).toEqual(['posted', 'insufficient_funds', 'duplicate', 'posted']);
    expect((await service.account('a')).balance).toBe(1);
  });

  it('posts at once when the batch is full, and in chunks of the limit', async () => {
    const { service, calls } = setup({ batchMaxEntries: 3, batchWindowMs: 10_000 });
    const outcomes = await Promise.all(Array.from({ length: 7 }, (_, i) => service.enqueue(earn('a', `k${i}`))).slice(0, 6));
    expect(outcomes.every((o) => o.status === 'posted')).toBe(true);
    expect(calls).toEqual([3, 3]);
    await service.flush();
    expect(calls).toEqual([3, 3, 1]);
    expect((await service.account('a')).balance).toBe(7);
  });

  it('when a batch fails, posts each entry alone so only the broken one fails', async () => {
    const { service, calls } = setup({ batchWindowMs: 5 }, 'poison');
    const settled = await Promise.allSettled([service.enqueue(earn('a', 'ok1')), service.enqueue(earn('a', 'poison')), service.enqueue(earn('a', 'ok2'))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([3, 1, 1, 1]);
    expect((await service.account('a')).balance).toBe(2);
    expect((await service.audit()).ok).toBe(true);
  });
});
