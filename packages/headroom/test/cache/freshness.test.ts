import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/random.js';
import { shouldRefreshEarly } from '../../src/cache/stampede/xfetch.js';
import type { CacheEvent } from '../../src/cache/index.js';
import { deferred, flushMicrotasks, testCache } from './helpers.js';

test('stale-while-revalidate: after the soft TTL the stale value is served and refreshed once in the background', async () => {
  const { cache, clock } = testCache<string>({ ttl: 100, staleWhileRevalidate: 50 });
  let calls = 0;
  const gate = deferred<string>();
  await cache.set('k', 'v1');
  await clock.advanceBy(100);
  const loader = (): Promise<string> => {
    calls++;
    return gate.promise;
  };
  assert.equal(await cache.getOrLoad('k', loader), 'v1');
  assert.equal(await cache.getOrLoad('k', loader), 'v1');
  assert.equal(calls, 1);
  gate.resolve('v2');
  await flushMicrotasks();
  assert.equal(await cache.getOrLoad('k', loader), 'v2');
  const s = cache.stats();
  assert.deepEqual([s.staleHits, s.refreshes, s.hits, calls], [2, 1, 1, 1]);
});

test('after the hard expiry the value is a miss: the caller waits for the loader', async () => {
  const { cache, clock } = testCache<string>({ ttl: 100, staleWhileRevalidate: 50 });
  await cache.set('k', 'v1');
  await clock.advanceBy(150);
  let calls = 0;
  assert.equal(
    await cache.getOrLoad('k', () => {
      calls++;
      return 'v2';
    }),
    'v2',
  );
  assert.equal(calls, 1);
  assert.equal(cache.stats().staleHits, 0);
});

test('stale-if-error: a failed reload serves the stale value, then backs off before retrying', async () => {
  const { cache, clock } = testCache<string>({ ttl: 100, staleIfError: 10_000, errorBackoff: { initial: 1000, max: 4000 } });
  const events: CacheEvent[] = [];
  cache.on((e) => events.push(e));
  await cache.set('k', 'v1');
  await clock.advanceBy(100);
  let calls = 0;
  const failing = (): Promise<string> => {
    calls++;
    return Promise.reject(new Error('db down'));
  };
  assert.equal(await cache.getOrLoad('k', failing), 'v1');
  assert.equal(calls, 1);
  // Backoff with equal jitter: the first retry is not before 500 ms.
  await clock.advanceBy(499);
  assert.equal(await cache.getOrLoad('k', failing), 'v1');
  assert.equal(calls, 1);
  await clock.advanceBy(501);
  assert.equal(await cache.getOrLoad('k', failing), 'v1');
  assert.equal(calls, 2);
  // Success clears the failure state.
  await clock.advanceBy(2000);
  assert.equal(await cache.getOrLoad('k', () => 'v2'), 'v2');
  // Past the stale-if-error window the error reaches the caller.
  await clock.advanceBy(100 + 10_000);
  await assert.rejects(cache.getOrLoad('k', failing), /db down/);
  assert.ok(events.some((e) => e.type === 'stale-served' && e.reason === 'error'));
  assert.ok(events.some((e) => e.type === 'load-error'));
});

test('stale-if-error does not hide a caller abort', async () => {
  const { cache, clock } = testCache<string>({ ttl: 100, staleIfError: 10_000 });
  await cache.set('k', 'v1');
  await clock.advanceBy(100);
  const c = new AbortController();
  const wait = cache.getOrLoad('k', () => new Promise<string>(() => {}), { signal: c.signal });
  c.abort(new Error('caller left'));
  await assert.rejects(wait, /caller left/);
});

test('XFetch fires early with probability exp(−gap/(δβ)), gap = expiry − now (N = 20,000 per case)', () => {
  // now − δβ·ln(u) ≥ expiry  ⇔  u ≤ exp(−gap/(δβ)), u uniform: so P = exp(−gap/(δβ)).
  const random = new SeededRandom(11);
  const n = 20_000;
  for (const [gap, delta, beta] of [
    [10, 10, 1],
    [50, 10, 1],
    [50, 10, 2],
    [1, 100, 1],
  ] as const) {
    let fired = 0;
    for (let i = 0; i < n; i++) if (shouldRefreshEarly(1000 - gap, 1000, delta, beta, random)) fired++;
    const p = Math.exp(-gap / (delta * beta));
    const tolerance = 5 * Math.sqrt((p * (1 - p)) / n) + 1e-9;
    assert.ok(Math.abs(fired / n - p) <= tolerance, `gap ${gap} δ ${delta} β ${beta}: ${fired / n} vs ${p}`);
  }
  assert.equal(shouldRefreshEarly(0, 1000, 0, 1, random), false);
});

test('XFetch in the cache: slow loads refresh early in the background, at most once at a time, keeping the value fresh', async () => {
  const { cache, clock } = testCache<string>({ ttl: 1000, earlyRefresh: { strategy: 'xfetch', beta: 1 } });
  let calls = 0;
  const loader = async (): Promise<string> => {
    calls++;
    await new Promise<void>((resolve) => clock.setTimer(200, resolve));
    return `v${calls}`;
  };
  const first = cache.getOrLoad('k', loader);
  await clock.advanceBy(200);
  assert.equal(await first, 'v1');
  // Read every 10 ms until just before expiry: δ = 200 ms makes an early refresh near-certain.
  let misses = 0;
  for (let t = 0; t < 990; t += 10) {
    await clock.advanceBy(10);
    if (!cache.has('k')) misses++;
    await cache.getOrLoad('k', loader);
  }
  assert.equal(misses, 0);
  assert.ok(calls >= 2 && calls <= 6, `calls ${calls}`);
  assert.ok(cache.stats().refreshes >= 1);
});

test('refresh-ahead: the first read after `at` × TTL refreshes once; unread keys just expire', async () => {
  const { cache, clock } = testCache<string>({ ttl: 1000, earlyRefresh: { strategy: 'ahead', at: 0.8 } });
  let calls = 0;
  const loader = (): string => `v${++calls}`;
  await cache.getOrLoad('hot', loader);
  await cache.getOrLoad('cold', loader);
  await clock.advanceBy(799);
  await cache.getOrLoad('hot', loader);
  assert.equal(calls, 2);
  await clock.advanceBy(1);
  assert.equal(await cache.getOrLoad('hot', loader), 'v1'); // served now, refreshed in background
  await flushMicrotasks();
  assert.equal(calls, 3);
  assert.equal(cache.getSync('hot'), 'v3');
  await clock.advanceBy(201);
  assert.equal(cache.has('cold'), false);
  assert.equal(cache.has('hot'), true);
});
