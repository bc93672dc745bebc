import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { join } from 'node:path';
import { systemClock, SeededRandom, VirtualClock } from 'headroom';
import type { ReplicaPhaseConfig } from '../../src/lab/service/protocol.js';
import { IDLE_PHASE, ReplicaService } from '../../src/lab/service/replica.js';
import { openSqliteStore, seedSqlite } from '../../src/lab/service/sqlite-store.js';
import type { CatalogStore } from '../../src/lab/service/store.js';

let dir = '';
let path = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-lab-test-'));
  path = join(dir, 'catalog.db');
  seedSqlite(path, 2_000, new SeededRandom(5));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const INIT = { index: 0, port: 0, store: { kind: 'sqlite' as const, path: '' }, redisUrl: null, keyPrefix: 'test:' };

function phase(overrides: Partial<ReplicaPhaseConfig> & { cacheMode?: ReplicaPhaseConfig['cache']['mode'] }): ReplicaPhaseConfig {
  const { cacheMode, ...rest } = overrides;
  return {
    ...IDLE_PHASE,
    phase: 'test',
    cache: { mode: cacheMode ?? 'off', maxEntries: 1_000, ttlMs: 60_000, hotKey: null },
    ...rest,
  };
}

async function withService(
  clock: VirtualClock | typeof systemClock,
  fn: (s: ReplicaService, store: CatalogStore) => Promise<void>,
): Promise<void> {
  const store = openSqliteStore(path);
  const service = await ReplicaService.create(INIT, store, clock);
  try {
    await fn(service, store);
  } finally {
    await service.close();
    await store.close();
  }
}

/** Waits until `done()` holds across real socket I/O (polls every 5 ms, up to 30 s). */
async function untilReal(done: () => boolean): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (!done() && performance.now() < deadline) await new Promise<void>((resolve) => setTimeout(resolve, 5));
  assert.ok(done(), 'condition not reached');
}

/** Lets fastify's asynchronous routing run until `done()` holds (event-loop turns, no timers). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !done(); i++) await new Promise<void>((resolve) => setImmediate(resolve));
  assert.ok(done(), 'condition not reached');
}

test('routes: product by id, category page, stock update, health; bad input is 400, missing is 404', async () => {
  await withService(systemClock, async (service) => {
    const app = service.app;
    const product = await app.inject({ method: 'GET', url: '/products/17' });
    assert.equal(product.statusCode, 200);
    assert.equal(product.json().id, 17);
    assert.match(product.json().sku, /^HR-/);
    assert.equal((await app.inject({ method: 'GET', url: '/products/999999' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/products/abc' })).statusCode, 400);
    const page = await app.inject({ method: 'GET', url: '/categories/audio/products?limit=3' });
    assert.equal(page.statusCode, 200);
    assert.equal(page.json().length, 3);
    assert.equal((await app.inject({ method: 'GET', url: '/categories/nope/products' })).statusCode, 404);
    const before = product.json().stock as number;
    const updated = await app.inject({ method: 'POST', url: '/products/17/stock', payload: { delta: 2 } });
    assert.equal(updated.statusCode, 200);
    assert.equal(updated.json().stock, before + 2);
    assert.equal((await app.inject({ method: 'POST', url: '/products/17/stock', payload: { delta: 'x' } })).statusCode, 400);
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const stats = service.stats();
    assert.equal(stats.reads, 3, 'two product reads (a 404 id is a read too) and one category page; 400s are not');
    assert.equal(stats.writes, 1);
    assert.equal(stats.storeQueries, 4);
  });
});

test('cache mode: a repeated read is a hit; a write drops the cached copy so the next read is fresh', async () => {
  await withService(systemClock, async (service) => {
    await service.configure(phase({ cacheMode: 'cache' }));
    const app = service.app;
    const first = (await app.inject({ method: 'GET', url: '/products/5' })).json();
    await app.inject({ method: 'GET', url: '/products/5' });
    assert.equal(service.stats().storeQueries, 1);
    assert.equal(service.stats().readsWithoutQuery, 1);
    await app.inject({ method: 'POST', url: '/products/5/stock', payload: { delta: 1 } });
    const fresh = (await app.inject({ method: 'GET', url: '/products/5' })).json();
    assert.equal(fresh.stock, first.stock + 1);
    assert.equal(service.stats().storeQueries, 3, 'read, write, read after invalidation');
  });
});

for (const [mode, expectedQueries] of [
  ['aside', 20],
  ['cache', 1],
] as const) {
  test(`20 concurrent misses of one key: ${mode} → ${expectedQueries} store quer${expectedQueries === 1 ? 'y' : 'ies'}`, async () => {
    const clock = new VirtualClock();
    await withService(clock, async (service) => {
      await service.configure(phase({ cacheMode: mode, store: { poolSize: 32, latencyMs: 10 } }));
      const replies = Array.from({ length: 20 }, () => service.app.inject({ method: 'GET', url: '/products/9' }));
      await until(() => service.stats().reads === 20);
      await clock.advanceBy(10);
      for (const reply of await Promise.all(replies)) assert.equal(reply.json().id, 9);
      assert.equal(service.stats().storeQueries, expectedQueries);
    });
  });
}

test("faults: a stall delays the request by stallMs; a slow replica's store round trip is slowFactor × longer", async () => {
  const clock = new VirtualClock();
  await withService(clock, async (service) => {
    await service.configure(phase({ faults: { slowFactor: 1, stallProbability: 1, stallMs: 100 }, store: { poolSize: 4, latencyMs: 0 } }));
    let done = false;
    const stalled = service.app.inject({ method: 'GET', url: '/products/3' }).then((r) => {
      done = true;
      return r;
    });
    await until(() => service.stats().stalls === 1);
    await clock.advanceBy(99);
    assert.equal(done, false);
    await clock.advanceBy(1);
    assert.equal((await stalled).statusCode, 200);

    await service.configure(phase({ faults: { slowFactor: 3, stallProbability: 0, stallMs: 0 }, store: { poolSize: 4, latencyMs: 10 } }));
    const t0 = clock.now();
    let finishedAt = 0;
    const slow = service.app.inject({ method: 'GET', url: '/products/3' }).then((r) => {
      finishedAt = clock.now();
      return r;
    });
    await until(() => service.stats().storeQueries === 1);
    await clock.advanceBy(29);
    assert.equal(finishedAt, 0);
    await clock.advanceBy(1);
    assert.equal((await slow).statusCode, 200);
    assert.equal(finishedAt - t0, 30, 'a 10 ms store round trip × 3');
  });
});

test('stalls a caller hangs up on are noted by number as it happens; stalls waited out are not', async () => {
  const clock = new VirtualClock();
  await withService(clock, async (service) => {
    await service.configure(phase({ faults: { slowFactor: 1, stallProbability: 1, stallMs: 100 }, store: { poolSize: 4, latencyMs: 0 } }));
    const port = await service.listen(0);
    const waiting = new Promise<number>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/products/3', agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on('error', reject);
    });
    await untilReal(() => service.stats().stalls === 1);
    const hangingUp = get({ host: '127.0.0.1', port, path: '/products/4', agent: false });
    hangingUp.on('error', () => undefined);
    await untilReal(() => service.stats().stalls === 2);
    hangingUp.destroy(); // what the load generator does to the losing attempt of a hedged request
    await untilReal(() => service.stats().abandonedStalls.length === 1);
    assert.deepEqual(service.stats().abandonedStalls, [1]);
    await clock.advanceBy(100);
    assert.equal(await waiting, 200);
    assert.deepEqual(service.stats().abandonedStalls, [1], 'the first stall was waited out');
  });
});

test('configure: queries waiting in the old phase fail fast; counters restart from zero', async () => {
  const clock = new VirtualClock();
  await withService(clock, async (service) => {
    await service.configure(phase({ store: { poolSize: 1, latencyMs: 50 } }));
    const replies = Array.from({ length: 3 }, (_, i) => service.app.inject({ method: 'GET', url: `/products/${i + 1}` }));
    await until(() => service.stats().reads === 3);
    await service.configure(phase({}));
    await clock.advanceBy(50);
    const codes = (await Promise.all(replies)).map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [200, 500, 500], 'the running query finishes; the two waiting ones fail at once');
    assert.equal(service.stats().requests, 0);
  });
});

test('warm-up replay: past requests fill the cache on replayed time (TTL, writes), unseen by the phase counters', async () => {
  for (const cacheMode of ['cache', 'aside'] as const) {
    await withService(systemClock, async (service) => {
      await service.configure(phase({ cacheMode }));
      // One block per step, so each finishes before the next (a block runs up to 16 requests at once).
      const step = async (atMs: number, id: number, write = false): Promise<number> =>
        (await service.warm({ atMs: [atMs], ids: [id], writes: [write ? 1 : 0] })).queries;
      assert.equal(await step(0, 1), 1, `${cacheMode}: first read misses`);
      assert.equal(await step(10_000, 1), 0, `${cacheMode}: 10 s later, a hit`);
      assert.equal(await step(20_000, 2), 1);
      await step(30_000, 2, true); // a stock update drops the cached copy
      assert.equal(await step(31_000, 2), 1, `${cacheMode}: read after a write misses`);
      // Loaded at replayed second 0 with a 60 s TTL: gone at second 61, although only milliseconds passed.
      assert.equal(await step(61_000, 1), 1, `${cacheMode}: expired on replayed time`);
      const { reads, queries } = await service.warm({ atMs: [62_000, 62_001, 62_002], ids: [1, 2, 3], writes: [0, 0, 0] });
      assert.deepEqual({ reads, queries }, { reads: 3, queries: 1 });
      // The replay went to the store directly and past the counters; the live phase starts warm.
      assert.equal(service.stats().storeQueries, 0);
      assert.equal(service.stats().requests, 0);
      assert.equal((await service.app.inject({ method: 'GET', url: '/products/3' })).statusCode, 200);
      assert.deepEqual({ reads: service.stats().reads, queries: service.stats().storeQueries }, { reads: 1, queries: 0 });
    });
  }
});
