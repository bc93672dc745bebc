/**
 * Every Redis-tier feature on a real 3-master Redis Cluster started by this test (on free
 * ports): L2 across slots, batches (one MGET per slot, no CROSSSLOT), delete, tags and
 * clear across slots, leases across instances, and invalidation by pub/sub and by tracking —
 * with node-redis's and with ioredis's Cluster client.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { redisTier, Cache, type CacheEvent } from '../../../src/cache/index.js';
import { keySlot } from '../../../src/partition/index.js';
import { SeededRandom } from '../../../src/core/random.js';
import { startCluster, uniquePrefix, type OwnCluster } from '@headroom/testkit/redis-servers';
import { writerBarrier } from './barrier.js';
import { CLIENT_LIBRARIES, type ClientLibrary, type TestClient } from './clients.js';

let cluster: OwnCluster;
const connections: TestClient[] = [];
const caches: Cache<unknown>[] = [];

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  await Promise.all(caches.map((c) => c.close()));
  await Promise.all(connections.map((c) => c.close().catch(() => {})));
  await cluster.stop();
});

function pair<V>(library: ClientLibrary, namespace: string, invalidation: 'pubsub' | 'tracking' = 'pubsub'): Promise<[Cache<V>, Cache<V>]> {
  // Both instances must share the prefix: build them on one prefix.
  const prefix = uniquePrefix('cl');
  return Promise.all(
    [0, 1].map(async (i) => {
      const connection = await library.connectCluster(cluster.url);
      connections.push(connection);
      const client = connection.client;
      const cache = new Cache<V>({
        namespace,
        ttl: '1m',
        random: new SeededRandom(i + 21),
        l2: redisTier<V>({ client, prefix, invalidation, timeout: '1s' }),
      });
      caches.push(cache as Cache<unknown>);
      return cache;
    }),
  ) as Promise<[Cache<V>, Cache<V>]>;
}

/** Resolves on the first event matching `match`; rejects after 10 s (it normally comes within milliseconds). */
function waitFor(cache: Cache<unknown>, match: (e: CacheEvent) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('event did not arrive within 10 s')), 10_000);
    const sub = cache.on((e) => {
      if (match(e)) {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      }
    });
  });
}

const keys = Array.from({ length: 60 }, (_, i) => `item:${i}`);

test('cluster: the keys used span many slots (the test exercises cross-slot paths)', () => {
  assert.ok(new Set(keys.map((k) => keySlot(`{${k}}`))).size > 50);
});

for (const library of CLIENT_LIBRARIES) {
  test(`${library.name} cluster: L2 across slots, batches with one MGET per slot, delete, tags and clear without CROSSSLOT`, async () => {
    const [a, b] = await pair<string>(library, 'catalog');
    for (const [i, k] of keys.entries()) await a.set(k, `v${i}`, { tags: [i % 2 === 0 ? 'even' : 'odd'] });
    const calls: string[][] = [];
    const values = await b.getOrLoadMany([...keys, 'missing:1', 'missing:2'], async (missing) => {
      calls.push([...missing]);
      return missing.map((k) => `loaded ${k}`);
    });
    assert.deepEqual(
      values.slice(0, 60),
      keys.map((_, i) => `v${i}`),
    );
    assert.deepEqual(calls, [['missing:1', 'missing:2']]);
    assert.equal(b.stats().l2Errors, 0);

    let heard = waitFor(b as Cache<unknown>, (e) => e.type === 'invalidated' && e.origin === 'remote' && e.target === 'item:3');
    await a.delete('item:3');
    await heard;
    assert.equal(await b.getOrLoad('item:3', () => 'reloaded'), 'reloaded');

    heard = waitFor(b as Cache<unknown>, (e) => e.type === 'invalidated' && e.origin === 'remote' && e.scope === 'tag');
    assert.equal(await a.invalidateTag('even'), 30);
    await heard;
    const afterTag = await b.getOrLoadMany(keys.slice(0, 4), async (missing) => missing.map((k) => `fresh ${k}`));
    assert.deepEqual(afterTag, ['fresh item:0', 'v1', 'fresh item:2', 'reloaded']);

    heard = waitFor(b as Cache<unknown>, (e) => e.type === 'invalidated' && e.origin === 'remote' && e.scope === 'clear');
    await a.clear();
    await heard;
    const afterClear = await b.getOrLoadMany(keys.slice(0, 3), async (missing) => missing.map(() => 'after clear'));
    assert.deepEqual(afterClear, ['after clear', 'after clear', 'after clear']);
    assert.equal(a.stats().l2Errors + b.stats().l2Errors, 0);
  });

  test(`${library.name} cluster: single-key reads in one tick become one MGET per slot, each caller gets its own value`, async () => {
    const [a, b] = await pair<string>(library, 'tick');
    for (const [i, k] of keys.entries()) await a.set(k, `v${i}`);
    await b.getOrLoad('warm-up', () => 'w');
    const before = b.stats().l2!.calls;
    const values = await Promise.all(keys.map((k) => b.getOrLoad(k, () => 'loaded')));
    assert.deepEqual(
      values,
      keys.map((_, i) => `v${i}`),
    );
    const slots = new Set(keys.map((k) => keySlot(`{${k}}`))).size;
    assert.equal(b.stats().l2!.calls - before, slots);
    assert.equal(b.stats().l2Errors, 0);
  });

  test(`${library.name} cluster: leases across instances — 2 instances × 200 callers, one load`, async () => {
    const [a, b] = await pair<string>(library, 'lease');
    let calls = 0;
    const loader = async (): Promise<string> => {
      calls++;
      await new Promise((r) => setTimeout(r, 100));
      return 'once';
    };
    const all = await Promise.all([
      ...Array.from({ length: 200 }, () => a.getOrLoad('hot', loader)),
      ...Array.from({ length: 200 }, () => b.getOrLoad('hot', loader)),
    ]);
    assert.equal(calls, 1);
    assert.ok(all.every((v) => v === 'once'));
  });

  for (const mode of ['pubsub', 'tracking'] as const) {
    test(`${library.name} cluster: invalidation by ${mode} reaches the other instance for keys on every master`, async () => {
      const [a, b] = await pair<string>(library, `inv-${mode}`, mode);
      for (const k of keys.slice(0, 9)) await a.set(k, 'v1');
      // Each set's notifications reach b before b reads (else a late one drops b's copy and stands
      // in for the delete's below): a marker in each key's slot, so on its master, heard by b.
      await Promise.all(
        keys.slice(0, 9).map((k) => writerBarrier((marker) => a.set(marker, 'marker'), [b as Cache<unknown>], { sameSlotAs: k })),
      );
      for (const k of keys.slice(0, 9)) assert.equal(await b.getOrLoad(k, () => 'db'), 'v1');
      for (const k of keys.slice(0, 9)) {
        const gone = waitFor(b as Cache<unknown>, (e) => e.type === 'invalidated' && e.origin === 'remote' && e.target === k);
        await a.delete(k);
        await gone;
        assert.equal(b.has(k), false);
      }
    });
  }
}
