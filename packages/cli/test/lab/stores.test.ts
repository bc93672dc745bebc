import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { systemClock, SeededRandom, isHeadroomError } from 'headroom';
import { Resources, prepareRedis, prepareStore } from '../../src/lab/resources.js';
import { makeProduct } from '../../src/lab/service/catalog-data.js';
import { openPostgresStore } from '../../src/lab/service/postgres-store.js';
import { openSqliteStore } from '../../src/lab/service/sqlite-store.js';
import type { CatalogStore } from '../../src/lab/service/store.js';

const PRODUCTS = 3_000;
const PG_URL = 'postgres://127.0.0.1:5432/test';

async function exercise(store: CatalogStore): Promise<void> {
  const random = new SeededRandom(1).fork('catalog');
  for (const id of [1, 777, PRODUCTS]) assert.deepEqual(await store.getProduct(id), makeProduct(random, id));
  assert.equal(await store.getProduct(PRODUCTS + 1), undefined);
  const page = await store.listCategory('audio', 5);
  assert.ok(page.length > 0 && page.length <= 5);
  for (let i = 1; i < page.length; i++) assert.ok(page[i]!.priceCents >= page[i - 1]!.priceCents);
  const before = (await store.getProduct(42))!;
  const after = (await store.adjustStock(42, 3, 1_234))!;
  assert.equal(after.stock, before.stock + 3);
  assert.equal(after.updatedAt, 1_234);
  assert.equal((await store.adjustStock(42, -1_000_000, 1_235))!.stock, 0, 'stock never goes below 0');
  assert.equal(await store.adjustStock(PRODUCTS + 1, 1, 1), undefined);
}

test('SQLite: seeded in a temporary folder, same rows as the generator, folder removed on release', async () => {
  const resources = new Resources();
  const prepared = await prepareStore(null, PRODUCTS, new SeededRandom(1).fork('catalog'), systemClock, 'test', resources);
  assert.equal(prepared.spec.kind, 'sqlite');
  const path = prepared.spec.kind === 'sqlite' ? prepared.spec.path : '';
  const store = openSqliteStore(path);
  try {
    await exercise(store);
  } finally {
    await store.close();
  }
  assert.deepEqual(await resources.release(), []);
  assert.equal(existsSync(dirname(path)), false);
});

test('PostgreSQL: a uniquely named table with the same rows, dropped on release', async () => {
  const resources = new Resources();
  const runId = `test_${process.pid}`;
  const prepared = await prepareStore(PG_URL, PRODUCTS, new SeededRandom(1).fork('catalog'), systemClock, runId, resources);
  assert.equal(prepared.spec.kind, 'postgres');
  if (prepared.spec.kind !== 'postgres') return;
  const store = openPostgresStore(prepared.spec.url, prepared.spec.table, 2);
  try {
    await exercise(store);
  } finally {
    await store.close();
  }
  assert.deepEqual(await resources.release(), []);
  const client = new pg.Client({ connectionString: prepared.spec.url });
  await client.connect();
  const { rows } = await client.query('SELECT to_regclass($1) AS t', [prepared.spec.table]);
  await client.end();
  assert.equal(rows[0].t, null, 'table dropped');
});

test('unreachable PostgreSQL and Redis fail with one clear error each', async () => {
  const resources = new Resources();
  await assert.rejects(
    prepareStore('postgres://127.0.0.1:1/test', 10, new SeededRandom(1), systemClock, 'x', resources),
    (e) => isHeadroomError(e, 'HR_LAB_STORE_UNREACHABLE') && /127\.0\.0\.1:1.*ECONNREFUSED/.test((e as Error).message),
  );
  await assert.rejects(
    prepareRedis('redis://127.0.0.1:1', 'headroom-lab:test:', resources),
    (e) => isHeadroomError(e, 'HR_LAB_REDIS_UNREACHABLE') && /127\.0\.0\.1:1/.test((e as Error).message),
  );
  assert.deepEqual(await resources.release(), []);
});
