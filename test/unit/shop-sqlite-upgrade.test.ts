import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../server/stores/sqlite/db.js';
import { createSqlitePurchaseStore } from '../../server/stores/sqlite/purchases-store.js';

/** A purchases table made before pins carried a message gets the column, and its rows read as before. */
describe('SQLite purchases table from before message_id', () => {
  it('adds message_id once, keeps the old rows (messageId null) and stores new pins with their message', async () => {
    const db = openSqlite(':memory:');
    db.exec(`CREATE TABLE token_purchases (
      id TEXT PRIMARY KEY, user_id TEXT NOT NULL, item_id TEXT NOT NULL, item_type TEXT NOT NULL,
      cost INTEGER NOT NULL CHECK (cost > 0), entry_id TEXT NOT NULL UNIQUE, room_id TEXT,
      created_at INTEGER NOT NULL, expires_at INTEGER, used_at INTEGER, refunded_at INTEGER,
      refund_amount INTEGER, refund_entry_id TEXT) STRICT`);
    db.prepare(`INSERT INTO token_purchases (id, user_id, item_id, item_type, cost, entry_id, created_at) VALUES ('P0', 'U1', 'custom_chat_color', 'appearance', 50, 'P0', 1000)`).run();

    const store = createSqlitePurchaseStore(db);
    createSqlitePurchaseStore(db); // a second start finds the column and adds nothing
    expect(await store.findById('P0')).toMatchObject({ id: 'P0', messageId: null, roomId: null });
    const at = new Date('2026-01-05T12:00:00.000Z');
    await store.record({ id: 'P1', userId: 'U1', itemId: 'pin_important_message', category: 'room', cost: 10, entryId: 'P1', roomId: 'R1', messageId: 'M1', createdAt: at, expiresAt: new Date(at.getTime() + 3_600_000) });
    expect((await store.listActiveOf({ itemIds: ['pin_important_message'], roomId: 'R1' }, at)).map((p) => [p.id, p.messageId])).toEqual([['P1', 'M1']]);
    db.close();
  });
});
