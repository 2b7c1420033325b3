import { CATALOGUE_ITEMS_MAX, type CatalogueRecord, type ShopCatalogueStore } from '../../shop/catalogue-ports.js';
import type { ShopItem } from '../../economy/config/schema.js';
import type { SqliteDb } from './db.js';

const DDL = `
CREATE TABLE IF NOT EXISTS shop_catalogue (
  item_id TEXT PRIMARY KEY,
  item TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;
`;

interface Row {
  item_id: string;
  item: string;
  updated_at: number;
  updated_by: string;
}

const fromRow = (r: Row): CatalogueRecord => ({ item: JSON.parse(r.item) as ShopItem, updatedAt: new Date(r.updated_at), updatedBy: r.updated_by });

/** The admin catalogue on SQLite: one row per item id, the item as validated JSON. */
export function createSqliteShopCatalogueStore(db: SqliteDb): ShopCatalogueStore {
  db.exec(DDL);
  const stmt = {
    list: db.prepare<[number], Row>('SELECT * FROM shop_catalogue ORDER BY item_id LIMIT ?'),
    find: db.prepare<[string], Row>('SELECT * FROM shop_catalogue WHERE item_id = ?'),
    insert: db.prepare<[string, string, number, string]>('INSERT INTO shop_catalogue (item_id, item, updated_at, updated_by) VALUES (?, ?, ?, ?) ON CONFLICT (item_id) DO NOTHING'),
    put: db.prepare<[string, string, number, string]>(
      `INSERT INTO shop_catalogue (item_id, item, updated_at, updated_by) VALUES (?, ?, ?, ?)
       ON CONFLICT (item_id) DO UPDATE SET item = excluded.item, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ),
  };
  const args = (r: CatalogueRecord): [string, string, number, string] => [r.item.id, JSON.stringify(r.item), r.updatedAt.getTime(), r.updatedBy];
  return {
    async list() {
      return stmt.list.all(CATALOGUE_ITEMS_MAX).map(fromRow);
    },
    async find(itemId) {
      const row = stmt.find.get(itemId);
      return row ? fromRow(row) : null;
    },
    async insert(record) {
      return stmt.insert.run(...args(record)).changes === 1;
    },
    async put(record) {
      stmt.put.run(...args(record));
    },
  };
}
