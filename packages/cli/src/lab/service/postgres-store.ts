/**
 * PostgreSQL catalog through `pg`: one UNLOGGED table with a unique name per lab run (so runs
 * never collide and nothing else in the database is touched), seeded in batches of 5,000 rows via
 * `unnest` of column arrays, and dropped when the lab stops.
 */
import pg from 'pg';
import type { Random } from 'headroom';
import { makeProduct } from './catalog-data.js';
import { type CatalogStore, type ProductRow, type ProductSummary, PRODUCT_COLUMNS, productValues, rowToProduct } from './store.js';

const BATCH_ROWS = 5_000;
const COLUMN_TYPES = ['int', 'text', 'text', 'text', 'text', 'int', 'int', 'real', 'int', 'text', 'bigint'];

/** Connects once to prove the URL works; rejects with the driver's error otherwise. */
export async function probePostgres(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates `table` with `count` products. */
export async function seedPostgres(url: string, table: string, count: number, random: Random): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE UNLOGGED TABLE ${table} (
      id INTEGER PRIMARY KEY, sku TEXT NOT NULL, name TEXT NOT NULL, category TEXT NOT NULL, brand TEXT NOT NULL,
      price_cents INTEGER NOT NULL, stock INTEGER NOT NULL, rating REAL NOT NULL, review_count INTEGER NOT NULL,
      description TEXT NOT NULL, updated_at BIGINT NOT NULL)`);
    const sql = `INSERT INTO ${table} (${PRODUCT_COLUMNS.join(', ')}) SELECT * FROM unnest(${COLUMN_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
    for (let first = 1; first <= count; first += BATCH_ROWS) {
      const columns: (string | number)[][] = PRODUCT_COLUMNS.map(() => []);
      for (let id = first; id < Math.min(count + 1, first + BATCH_ROWS); id++) {
        const values = productValues(makeProduct(random, id));
        for (let c = 0; c < values.length; c++) columns[c]!.push(values[c]!);
      }
      await client.query(sql, columns);
    }
    await client.query(`CREATE INDEX ${table}_category_price ON ${table} (category, price_cents)`);
    await client.query(`ANALYZE ${table}`);
    return count;
  } finally {
    await client.end();
  }
}

/** Drops the lab's table; harmless when it does not exist. */
export async function dropPostgresTable(url: string, table: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
  } finally {
    await client.end();
  }
}

/** Opens the lab's table for one replica with a pool of `poolSize` connections. */
export function openPostgresStore(url: string, table: string, poolSize: number): CatalogStore {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client losing its connection must not crash the replica; the next query reconnects.
  pool.on('error', () => undefined);
  return {
    getProduct: async (id) => {
      const { rows } = await pool.query<ProductRow>({ name: 'lab-by-id', text: `SELECT * FROM ${table} WHERE id = $1`, values: [id] });
      return rows[0] === undefined ? undefined : rowToProduct(rows[0]);
    },
    listCategory: async (category, limit) => {
      const { rows } = await pool.query<ProductSummary>({
        name: 'lab-by-category',
        text: `SELECT id, name, price_cents AS "priceCents" FROM ${table} WHERE category = $1 ORDER BY price_cents LIMIT $2`,
        values: [category, limit],
      });
      return rows;
    },
    adjustStock: async (id, delta, updatedAtMs) => {
      const { rows } = await pool.query<ProductRow>({
        name: 'lab-adjust',
        text: `UPDATE ${table} SET stock = GREATEST(0, stock + $1), updated_at = $2 WHERE id = $3 RETURNING *`,
        values: [delta, updatedAtMs, id],
      });
      return rows[0] === undefined ? undefined : rowToProduct(rows[0]);
    },
    close: () => pool.end(),
  };
}
