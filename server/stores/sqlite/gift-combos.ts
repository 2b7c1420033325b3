import type { SqliteDb } from './db.js';
import { comboStep, nextCombo, pairKey, type ComboState, type ComboStep, type GiftComboCounter, type GiftComboInput } from '../../caps/gift-combos.js';

/** Combos in the SQLite file: every process on the file sees the same run. */
export class SqliteGiftComboCounter implements GiftComboCounter {
  private readonly recordTx;
  constructor(db: SqliteDb) {
    db.exec(`CREATE TABLE IF NOT EXISTS counter_gift_combos (
      pair TEXT PRIMARY KEY, combo_id TEXT NOT NULL, count INTEGER NOT NULL, total INTEGER NOT NULL, last_ms INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    -- The sweep below reads only the expired rows through this index; without it, every gift that
    -- started a run scanned every pair of the last day (4.3 ms at 100,000 pairs, on the event loop).
    CREATE INDEX IF NOT EXISTS counter_gift_combos_last ON counter_gift_combos (last_ms)`);
    const read = db.prepare<[string], { combo_id: string; count: number; total: number; last_ms: number }>('SELECT combo_id, count, total, last_ms FROM counter_gift_combos WHERE pair = ?');
    const write = db.prepare<[string, string, number, number, number]>(
      `INSERT INTO counter_gift_combos (pair, combo_id, count, total, last_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (pair) DO UPDATE SET combo_id = excluded.combo_id, count = excluded.count, total = excluded.total, last_ms = excluded.last_ms`,
    );
    const sweep = db.prepare<[number]>('DELETE FROM counter_gift_combos WHERE last_ms < ?');
    this.recordTx = db.transaction((input: GiftComboInput): ComboState => {
      const atMs = input.at.getTime();
      const key = pairKey(input.senderId, input.recipientId);
      const row = read.get(key);
      const next = nextCombo(row ? { id: row.combo_id, count: row.count, total: row.total, lastMs: row.last_ms } : null, input, atMs);
      write.run(key, next.id, next.count, next.total, next.lastMs);
      // Runs a day past their last gift can never continue (the window is at most an hour).
      if (next.count === 1) sweep.run(atMs - 86_400_000);
      return next;
    });
  }
  async record(input: GiftComboInput): Promise<ComboStep> {
    return comboStep(this.recordTx.immediate(input));
  }
}

