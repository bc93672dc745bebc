import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cache, type CacheEvent } from '../../src/cache/index.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { testCache } from './helpers.js';

test('get/set/delete/has/getSync round-trip and count hits and misses', async () => {
  const { cache } = testCache<number>();
  assert.equal(await cache.get('a'), undefined);
  await cache.set('a', 1);
  assert.equal(await cache.get('a'), 1);
  assert.equal(cache.getSync('a'), 1);
  assert.equal(cache.has('a'), true);
  assert.equal(await cache.delete('a'), true);
  assert.equal(await cache.delete('a'), false);
  assert.equal(cache.has('a'), false);
  const s = cache.stats();
  assert.deepEqual([s.hits, s.misses, s.size], [2, 1, 0]);
  assert.equal(s.hitRatio, 2 / 3);
});

test('bounded by entries: never holds more than maxEntries, for both policies', async () => {
  for (const eviction of ['tinylfu', 'lru'] as const) {
    const { cache } = testCache<number>({ maxEntries: 50, eviction });
    for (let i = 0; i < 500; i++) await cache.set(`k${i % 120}`, i);
    assert.equal(cache.size, 50);
    // A cyclic scan of 120 keys misses every time under LRU: 500 inserts − 50 kept.
    if (eviction === 'lru') assert.equal(cache.stats().evictions, 450);
    else assert.ok(cache.stats().evictions > 0);
  }
});

test('bounded by bytes through sizeOf; an entry larger than the cache is not stored', async () => {
  const removed: string[] = [];
  const { cache } = testCache<string>({ maxBytes: 1000, sizeOf: (v) => v.length });
  cache.on((e) => {
    if (e.type === 'removed') removed.push(e.reason);
  });
  for (let i = 0; i < 100; i++) await cache.set(`k${i}`, 'x'.repeat(40 + (i % 30)));
  assert.ok(cache.stats().weight <= 1000);
  await cache.set('big', 'y'.repeat(1001));
  assert.equal(cache.has('big'), false);
  assert.ok(removed.includes('too-large'));
  await assert.rejects(new Cache<string>({ maxBytes: 10, sizeOf: () => -1 }).set('a', 'b'), (e) =>
    isHeadroomError(e, 'HR_CACHE_INVALID_OPTION'),
  );
});

test('keys: non-string keys need a key function; the key function is applied everywhere', async () => {
  const plain = new Cache<number, string>();
  assert.throws(
    () => plain.getSync(42 as unknown as string),
    (e) => isHeadroomError(e, 'HR_CACHE_INVALID_KEY'),
  );
  await assert.rejects(
    plain.getOrLoad(42 as unknown as string, () => 1),
    (e) => isHeadroomError(e, 'HR_CACHE_INVALID_KEY'),
  );
  await assert.rejects(plain.set({} as unknown as string, 1), (e) => isHeadroomError(e, 'HR_CACHE_INVALID_KEY'));
  const byId = new Cache<string, { id: number }>({ key: (k) => `user:${k.id}` });
  await byId.set({ id: 7 }, 'ann');
  assert.equal(byId.getSync({ id: 7 }), 'ann');
  assert.equal(byId.keyOf({ id: 7 }), 'user:7');
  assert.equal(await byId.getOrLoad({ id: 8 }, ({ key }) => key.toUpperCase()), 'USER:8');
  const broken = new Cache<number, number>({ key: () => 5 as unknown as string });
  assert.throws(
    () => broken.getSync(1),
    (e) => isHeadroomError(e, 'HR_CACHE_INVALID_KEY'),
  );
});

test('invalid options throw at construction naming the option, the value and the fix', () => {
  const cases: Array<[Record<string, unknown>, RegExp, string?]> = [
    [{ maxEntries: 0 }, /cache\.maxEntries.*0.*positive integer/],
    [{ maxEntries: 1.5 }, /cache\.maxEntries/],
    [{ maxBytes: 100 }, /cache\.sizeOf.*sizeOf/],
    [{ maxBytes: 100, maxEntries: 5, sizeOf: () => 1 }, /either maxEntries or maxBytes/],
    [{ sizeOf: () => 1 }, /sizeOf only applies with maxBytes/],
    [{ eviction: 'lfu' }, /cache\.eviction.*"lfu".*'tinylfu' or 'lru'/],
    [{ ttl: 0 }, /cache\.ttl.*positive duration/],
    [{ ttl: '5 parsecs' }, /cache\.ttl.*"5 parsecs"/, 'HR_CORE_INVALID_DURATION'],
    [{ jitter: 1 }, /cache\.jitter.*fraction/],
    [{ staleWhileRevalidate: -1 }, /cache\.staleWhileRevalidate/, 'HR_CORE_INVALID_DURATION'],
    [{ earlyRefresh: { strategy: 'xfetch', beta: 0 } }, /cache\.earlyRefresh\.beta/],
    [{ earlyRefresh: { strategy: 'ahead', at: 1 } }, /cache\.earlyRefresh\.at/],
    [{ earlyRefresh: 'soon' }, /cache\.earlyRefresh/],
    [{ namespace: 'has space' }, /cache\.namespace/],
    [{ errorBackoff: { initial: '2s', max: '1s' } }, /cache\.errorBackoff\.max/, 'HR_CORE_INVALID_OPTION'],
    [{ errorBackoff: { initial: 'soon' } }, /cache\.errorBackoff\.initial/, 'HR_CORE_INVALID_DURATION'],
    [{ errorBackoff: { jitter: 'decorrelated' } }, /cache\.errorBackoff\.jitter/, 'HR_CORE_INVALID_OPTION'],
    [{ maxEntrys: 5 }, /cache\.maxEntrys.*known options/],
  ];
  for (const [options, message, code = 'HR_CACHE_INVALID_OPTION'] of cases) {
    assert.throws(
      () => new Cache(options),
      (e: unknown) => {
        assert.ok(isHeadroomError(e, code), String(e));
        assert.match((e as Error).message, message);
        return true;
      },
      JSON.stringify(options),
    );
  }
});

test('soft TTL with jitter: values written together expire over [ttl·(1−j), ttl·(1+j)) (N = 2,000)', async () => {
  const clock = new VirtualClock();
  const cache = new Cache<number>({ clock, random: new SeededRandom(5), ttl: 1000, jitter: 0.2, maxEntries: 5000 });
  const n = 2000;
  for (let i = 0; i < n; i++) await cache.set(`k${i}`, i);
  const alive = (): number => Array.from({ length: n }, (_, i) => cache.has(`k${i}`)).filter(Boolean).length;
  await clock.advanceBy(799);
  assert.equal(alive(), n);
  await clock.advanceBy(201); // t = 1000: expected half expired; binomial sd = sqrt(n/4) ≈ 22, allow 5 sd
  assert.ok(Math.abs(alive() - n / 2) < 5 * Math.sqrt(n / 4), `alive ${alive()}`);
  await clock.advanceBy(200); // t = 1200
  assert.equal(alive(), 0);
});

test('hard expiry is a miss; expired entries are removed on access or by the clock-driven sweep', async () => {
  const clock = new VirtualClock();
  const cache = new Cache<number>({ clock, random: new SeededRandom(1), ttl: 100, sweepInterval: 150 });
  await cache.set('a', 1);
  await cache.set('b', 2);
  await clock.advanceBy(99);
  assert.equal(cache.getSync('a'), 1);
  await clock.advanceBy(1);
  assert.equal(cache.getSync('a'), undefined);
  assert.equal(cache.size, 1); // 'b' is expired but not yet swept
  await clock.advanceBy(49);
  assert.equal(cache.size, 1);
  await clock.advanceBy(1); // t = 150: the sweep runs
  assert.equal(cache.size, 0);
  assert.equal(cache.stats().expirations, 2);
  await cache.close();
  assert.equal(clock.pendingTimers, 0);
});

test('negative caching: off by default; with negativeTtl undefined/null results are cached for their own TTL', async () => {
  let calls = 0;
  const loader = (): undefined => {
    calls++;
    return undefined;
  };
  const { cache: off } = testCache<number>();
  await off.getOrLoad('x', loader);
  await off.getOrLoad('x', loader);
  assert.equal(calls, 2);
  calls = 0;
  const { cache, clock } = testCache<number>({ ttl: '1h', negativeTtl: 100 });
  await cache.getOrLoad('x', loader);
  await cache.getOrLoad('x', loader);
  assert.equal(calls, 1);
  await clock.advanceBy(100);
  await cache.getOrLoad('x', loader);
  assert.equal(calls, 2);
});

test('tags: invalidateTag removes exactly the tagged entries (static and value-derived tags)', async () => {
  const { cache } = testCache<{ cat: string }>();
  await cache.set('p1', { cat: 'books' }, { tags: ['product', 'cat:books'] });
  await cache.set('p2', { cat: 'toys' }, { tags: (v) => ['product', `cat:${v.cat}`] });
  await cache.set('u1', { cat: 'none' });
  assert.equal(await cache.invalidateTag('cat:books'), 1);
  assert.deepEqual(
    ['p1', 'p2', 'u1'].map((k) => cache.has(k)),
    [false, true, true],
  );
  // Re-setting without tags drops the old tags.
  await cache.set('p2', { cat: 'toys' });
  assert.equal(await cache.invalidateTag('product'), 0);
  assert.equal(cache.has('p2'), true);
  await assert.rejects(cache.set('p3', { cat: 'x' }, { tags: [''] }), (e) => isHeadroomError(e, 'HR_CACHE_INVALID_OPTION'));
});

test('clear retires everything at once; close rejects later operations with HR_CACHE_CLOSED', async () => {
  const { cache } = testCache<number>();
  for (let i = 0; i < 10; i++) await cache.set(`k${i}`, i);
  await cache.clear();
  assert.equal(cache.size, 0);
  await cache.set('a', 1);
  assert.equal(cache.getSync('a'), 1);
  await cache.close();
  await assert.rejects(cache.set('a', 1), (e) => isHeadroomError(e, 'HR_CACHE_CLOSED'));
  await assert.rejects(
    cache.getOrLoad('b', () => 1),
    (e) => isHeadroomError(e, 'HR_CACHE_CLOSED'),
  );
});

test('events: loads, load errors and removals are reported; listeners can be disposed', async () => {
  const { cache } = testCache<number>({ maxEntries: 1 });
  const events: CacheEvent[] = [];
  const sub = cache.on((e) => events.push(e));
  await cache.getOrLoad('a', () => 1);
  await assert.rejects(
    cache.getOrLoad('b', () => {
      throw new Error('db down');
    }),
    /db down/,
  );
  await cache.set('c', 3);
  await cache.delete('c');
  sub.dispose();
  await cache.set('d', 4);
  assert.deepEqual(
    events.map((e) => e.type),
    ['load', 'load-error', 'removed', 'removed', 'invalidated'],
  );
  const removed = events.filter((e) => e.type === 'removed').map((e) => e.type === 'removed' && `${e.key}:${e.reason}`);
  assert.deepEqual(removed, ['a:evicted', 'c:deleted']);
  const s = cache.stats();
  assert.deepEqual([s.loads, s.loadErrors, s.loadTime.count], [1, 1, 1]);
});
