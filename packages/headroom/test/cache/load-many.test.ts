import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from '../../src/core/errors.js';
import { deferred, flushMicrotasks, testCache } from './helpers.js';

test('getOrLoadMany: hits served, duplicates collapsed, one batch call for every missing key, results aligned', async () => {
  const { cache } = testCache<string>();
  await cache.set('a', 'A');
  const calls: string[][] = [];
  const result = await cache.getOrLoadMany(['a', 'b', 'c', 'b', 'd'], async (keys) => {
    calls.push([...keys]);
    return new Map(keys.filter((k) => k !== 'd').map((k) => [k, k.toUpperCase()]));
  });
  assert.deepEqual(result, ['A', 'B', 'C', 'B', undefined]);
  assert.deepEqual(calls, [['b', 'c', 'd']]);
  assert.equal(cache.getSync('c'), 'C');
  // Array results are aligned with the requested keys.
  assert.deepEqual(await cache.getOrLoadMany(['e', 'c'], async (keys) => keys.map((k) => `${k}!`)), ['e!', 'C']);
});

test('getOrLoadMany joins single loads already running and does not reload those keys', async () => {
  const { cache } = testCache<string>();
  const gate = deferred<string>();
  const single = cache.getOrLoad('x', () => gate.promise);
  let batchKeys: readonly string[] = [];
  const many = cache.getOrLoadMany(['x', 'y'], async (keys) => {
    batchKeys = keys;
    return keys.map((k) => k);
  });
  await flushMicrotasks();
  assert.deepEqual(batchKeys, ['y']);
  gate.resolve('X');
  assert.equal(await single, 'X');
  assert.deepEqual(await many, ['X', 'y']);
});

test('getOrLoadMany: a wrong-shaped result rejects with HR_CACHE_BATCH_RESULT; loader errors reach the caller', async () => {
  const { cache } = testCache<string>();
  await assert.rejects(
    cache.getOrLoadMany(['a', 'b'], async () => ['only one']),
    (e) => isHeadroomError(e, 'HR_CACHE_BATCH_RESULT'),
  );
  await assert.rejects(
    cache.getOrLoadMany(['a'], async () => {
      throw new Error('db down');
    }),
    /db down/,
  );
  await assert.rejects(
    cache.getOrLoadMany('a' as unknown as string[], async () => []),
    (e) => isHeadroomError(e, 'HR_CACHE_INVALID_OPTION'),
  );
});

test('getOrLoadMany: stale keys within stale-while-revalidate are served and refreshed in the same batch', async () => {
  const { cache, clock } = testCache<string>({ ttl: 100, staleWhileRevalidate: 100 });
  await cache.set('a', 'old');
  await clock.advanceBy(150);
  const calls: string[][] = [];
  const result = await cache.getOrLoadMany(['a', 'b'], async (keys) => {
    calls.push([...keys]);
    return keys.map((k) => `${k}-new`);
  });
  assert.deepEqual(result, ['old', 'b-new']);
  assert.deepEqual(calls, [['a', 'b']]);
  assert.equal(cache.getSync('a'), 'a-new');
});

test('getOrLoadMany: the batch is aborted only when every waiter of every key has gone', async () => {
  const { cache } = testCache<string>();
  let batchSignal: AbortSignal | undefined;
  const c1 = new AbortController();
  const c2 = new AbortController();
  const p1 = cache.getOrLoadMany(
    ['a', 'b'],
    ({ length }, { signal }) => {
      batchSignal = signal;
      return new Promise(() => void length);
    },
    { signal: c1.signal },
  );
  const p2 = cache.getOrLoad('a', () => 'never', { signal: c2.signal });
  c1.abort(new Error('one'));
  await assert.rejects(p1, /one/);
  assert.equal(batchSignal!.aborted, false); // 'a' still has a waiter
  c2.abort(new Error('two'));
  await assert.rejects(p2, /two/);
  assert.equal(batchSignal!.aborted, true);
});
