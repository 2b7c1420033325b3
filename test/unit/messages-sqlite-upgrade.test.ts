import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../server/stores/sqlite/db.js';
import { createSqliteMessageStore } from '../../server/stores/sqlite/messages-store.js';

/** A messages table made before issue 10 gets its columns and search index, and its rows are searchable. */
describe('SQLite messages table from before edit/delete/search', () => {
  it('adds the columns once, indexes the existing bodies, and reads old rows with null marks', async () => {
    const db = openSqlite(':memory:');
    db.exec(`CREATE TABLE messages (
      id TEXT PRIMARY KEY, room_id TEXT NOT NULL, author_id TEXT NOT NULL, client_message_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('text', 'file')), body TEXT NOT NULL, file_id TEXT, created_at INTEGER NOT NULL) STRICT`);
    db.prepare(`INSERT INTO messages VALUES ('M0', 'R1', 'U1', 'c0', 'text', 'an old hello', NULL, 1000)`).run();

    const store = createSqliteMessageStore(db);
    createSqliteMessageStore(db); // a second start adds nothing and does not index twice
    expect(await store.findById('M0')).toMatchObject({ id: 'M0', replyTo: null, editedAt: null, deletedAt: null });
    expect((await store.search('R1', 'hello', { limit: 10 })).items.map((m) => m.id)).toEqual(['M0']);
    const at = new Date('2026-01-05T12:00:00.000Z');
    await store.edit({ messageId: 'M0', body: 'an old goodbye', at });
    expect((await store.search('R1', 'hello', { limit: 10 })).items).toEqual([]);
    expect((await store.search('R1', 'goodbye', { limit: 10 })).items.map((m) => m.id)).toEqual(['M0']);
    db.close();
  });
});
