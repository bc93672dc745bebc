/**
 * SQLite catalog through better-sqlite3: a file in the lab's temporary folder, WAL mode so several
 * replica processes read concurrently while one writes. Seeding runs one transaction over one
 * prepared statement (≈ 0.5 s for 100k rows here), then builds the index.
 */
import Database from 'better-sqlite3';
import type { Random } from 'headroom';
import { makeProduct } from './catalog-data.js';
import { type CatalogStore, type ProductRow, type ProductSummary, PRODUCT_COLUMNS, productValues, rowToProduct } from './store.js';

const CREATE = `CREATE TABLE products (
  id INTEGER PRIMARY KEY, sku TEXT NOT NULL, name TEXT NOT NULL, category TEXT NOT NULL, brand TEXT NOT NULL,
  price_cents INTEGER NOT NULL, stock INTEGER NOT NULL, rating REAL NOT NULL, review_count INTEGER NOT NULL,
  description TEXT NOT NULL, updated_at INTEGER NOT NULL)`;

/**
 * Creates the catalog file at `path` with `count` products.
 * @returns the number of rows written
 */
export function seedSqlite(path: string, count: number, random: Random): number {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(CREATE);
    const insert = db.prepare(`INSERT INTO products (${PRODUCT_COLUMNS.join(', ')}) VALUES (${PRODUCT_COLUMNS.map(() => '?').join(', ')})`);
    db.transaction(() => {
      for (let id = 1; id <= count; id++) insert.run(productValues(makeProduct(random, id)));
    })();
    db.exec('CREATE INDEX products_category_price ON products (category, price_cents)');
    db.exec('ANALYZE');
    return count;
  } finally {
    db.close();
  }
}

/** Opens an existing catalog file (made by {@link seedSqlite}) for one replica. */
export function openSqliteStore(path: string): CatalogStore {
  const db = new Database(path, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  const byId = db.prepare<[number], ProductRow>('SELECT * FROM products WHERE id = ?');
  const byCategory = db.prepare<[string, number], ProductSummary>(
    'SELECT id, name, price_cents AS priceCents FROM products WHERE category = ? ORDER BY price_cents LIMIT ?',
  );
  const adjust = db.prepare<[number, number, number], ProductRow>(
    'UPDATE products SET stock = MAX(0, stock + ?), updated_at = ? WHERE id = ? RETURNING *',
  );
  return {
    getProduct: (id) => {
      const row = byId.get(id);
      return Promise.resolve(row === undefined ? undefined : rowToProduct(row));
    },
    listCategory: (category, limit) => Promise.resolve(byCategory.all(category, limit)),
    adjustStock: (id, delta, updatedAtMs) => {
      const row = adjust.get(delta, updatedAtMs, id);
      return Promise.resolve(row === undefined ? undefined : rowToProduct(row));
    },
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}
