import { describe, expect, it } from 'vitest';
import { MemoryGiftComboCounter, nextCombo } from '../../server/caps/gift-combos.js';
import { openSqlite } from '../../server/stores/sqlite/db.js';
import { SqliteGiftComboCounter } from '../../server/stores/sqlite/gift-combos.js';

/** Issue 13: the combo rule and the in-process adapter (Redis and SQLite run in test/integration/gifts-combos.test.ts). */
describe('gift combos', () => {
  const input = (giftId: string, amount: number) => ({ giftId, amount, windowMs: 10_000 });

  it('continues a run within the window (inclusive), restarts after it, keeps the first gift id', () => {
    const one = nextCombo(null, input('g1', 2), 1_000);
    expect(one).toEqual({ id: 'g1', count: 1, total: 2, lastMs: 1_000 });
    const two = nextCombo(one, input('g2', 3), 11_000);
    expect(two).toEqual({ id: 'g1', count: 2, total: 5, lastMs: 11_000 });
    expect(nextCombo(two, input('g3', 1), 21_001)).toEqual({ id: 'g3', count: 1, total: 1, lastMs: 21_001 });
    // A gift stamped slightly earlier than the last one (two nodes' clocks) still joins the run.
    expect(nextCombo(two, input('g4', 1), 10_500)).toMatchObject({ id: 'g1', count: 3, lastMs: 11_000 });
  });

  it('the in-process adapter keeps one run per sender and recipient', async () => {
    const combos = new MemoryGiftComboCounter();
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
    const rec = (senderId: string, recipientId: string, giftId: string, ms: number) => combos.record({ senderId, recipientId, giftId, amount: 1, at: at(ms), windowMs: 5_000 });
    expect(await rec('a', 'b', 'g1', 0)).toEqual({ id: 'g1', count: 1, total: 1 });
    expect(await rec('a', 'c', 'g2', 1_000)).toEqual({ id: 'g2', count: 1, total: 1 });
    expect(await rec('b', 'a', 'g3', 1_000)).toEqual({ id: 'g3', count: 1, total: 1 });
    expect(await rec('a', 'b', 'g4', 2_000)).toEqual({ id: 'g1', count: 2, total: 2 });
    expect(await rec('a', 'b', 'g5', 8_000)).toEqual({ id: 'g5', count: 1, total: 1 });
  });
});

describe('gift combos on SQLite: the sweep of runs a day old', () => {
  it('deletes the pairs a day past their last gift through the last-gift index, not by reading every pair', async () => {
    const db = openSqlite(':memory:');
    try {
      const combos = new SqliteGiftComboCounter(db);
      const day = 86_400_000;
      const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
      const rec = (senderId: string, recipientId: string, giftId: string, ms: number) => combos.record({ senderId, recipientId, giftId, amount: 1, at: at(ms), windowMs: 5_000 });
      await rec('a', 'b', 'g1', 0);
      await rec('a', 'c', 'g2', day - 1_000);
      // A new run a day and a moment after a|b's last gift sweeps a|b; a|c is younger than a day.
      expect(await rec('d', 'e', 'g3', day + 1)).toEqual({ id: 'g3', count: 1, total: 1 });
      expect((db.prepare('SELECT COUNT(*) AS n FROM counter_gift_combos').get() as { n: number }).n).toBe(2);
      expect(await rec('a', 'b', 'g4', day + 2)).toEqual({ id: 'g4', count: 1, total: 1 });
      // Before the index, each sweep read every pair of the last day (4.3 ms at 100,000 pairs).
      const plan = (db.prepare('EXPLAIN QUERY PLAN DELETE FROM counter_gift_combos WHERE last_ms < ?').all(0) as Array<{ detail: string }>).map((r) => r.detail).join(' ');
      expect(plan).toContain('INDEX counter_gift_combos_last');
    } finally {
      db.close();
    }
  });
});
