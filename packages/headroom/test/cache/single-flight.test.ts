import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from '../../src/core/errors.js';
import { deferred, testCache } from './helpers.js';

test('1,000 concurrent getOrLoad of one missing key run the loader once; everyone gets the value', async () => {
  const { cache, clock } = testCache<string>();
  let calls = 0;
  const loader = async (): Promise<string> => {
    calls++;
    await new Promise<void>((resolve) => clock.setTimer(20, resolve));
    return 'v';
  };
  const all = Promise.all(Array.from({ length: 1000 }, () => cache.getOrLoad('k', loader)));
  await clock.advanceBy(20);
  const values = await all;
  assert.equal(calls, 1);
  assert.ok(values.every((v) => v === 'v'));
  assert.equal(cache.stats().misses, 1000);
  assert.equal(cache.stats().loads, 1);
});

test('a failing load rejects every waiter with its error; a non-Error is wrapped', async () => {
  const { cache } = testCache<string>();
  const gate = deferred<string>();
  const waits = Array.from({ length: 5 }, () => cache.getOrLoad('k', () => gate.promise));
  gate.reject(new Error('db down'));
  for (const w of waits) await assert.rejects(w, /db down/);
  await assert.rejects(
    cache.getOrLoad('k2', () => {
      throw 'plain string';
    }),
    (e) => isHeadroomError(e, 'HR_CORE_NON_ERROR_THROWN') && (e as Error).cause === 'plain string',
  );
  await assert.rejects(
    cache.getOrLoad('k3', () => Promise.reject(42)),
    (e) => isHeadroomError(e, 'HR_CORE_NON_ERROR_THROWN'),
  );
  // Nothing was cached: the next call loads again.
  assert.equal(await cache.getOrLoad('k', () => 'ok'), 'ok');
});

test("a caller's abort cancels only its own wait; the shared load continues for the others", async () => {
  const { cache } = testCache<string>();
  const gate = deferred<string>();
  let loadSignal: AbortSignal | undefined;
  const a = new AbortController();
  const b = new AbortController();
  const pa = cache.getOrLoad(
    'k',
    ({ signal }) => {
      loadSignal = signal;
      return gate.promise;
    },
    { signal: a.signal },
  );
  const pb = cache.getOrLoad('k', () => 'never', { signal: b.signal });
  a.abort(new Error('a gave up'));
  await assert.rejects(pa, /a gave up/);
  assert.equal(loadSignal!.aborted, false);
  gate.resolve('v');
  assert.equal(await pb, 'v');
  assert.equal(cache.getSync('k'), 'v');
});

test('the shared load is aborted when every waiter has gone, and its late result is not stored', async () => {
  const { cache } = testCache<string>();
  const gate = deferred<string>();
  let loadSignal: AbortSignal | undefined;
  const controllers = [new AbortController(), new AbortController()];
  const waits = controllers.map((c) =>
    cache.getOrLoad(
      'k',
      ({ signal }) => {
        loadSignal = signal;
        return gate.promise;
      },
      { signal: c.signal },
    ),
  );
  controllers[0]!.abort(new Error('first'));
  assert.equal(loadSignal!.aborted, false);
  controllers[1]!.abort(new Error('second'));
  assert.equal(loadSignal!.aborted, true);
  await assert.rejects(waits[0]!, /first/);
  await assert.rejects(waits[1]!, /second/);
  gate.resolve('late');
  await Promise.resolve();
  assert.equal(cache.has('k'), false);
  // A new caller starts a new load rather than joining the abandoned one.
  assert.equal(await cache.getOrLoad('k', () => 'fresh'), 'fresh');
  // An already-aborted signal rejects at once with its reason.
  const done = new AbortController();
  done.abort(new Error('already'));
  await assert.rejects(
    cache.getOrLoad('z', () => 'x', { signal: done.signal }),
    /already/,
  );
});

test('a waiter without a signal pins the shared load: other callers leaving do not abort it', async () => {
  const { cache } = testCache<string>();
  const gate = deferred<string>();
  let loadSignal: AbortSignal | undefined;
  const c = new AbortController();
  const withSignal = cache.getOrLoad(
    'k',
    ({ signal }) => {
      loadSignal = signal;
      return gate.promise;
    },
    { signal: c.signal },
  );
  const without = cache.getOrLoad('k', () => 'never');
  c.abort(new Error('left'));
  await assert.rejects(withSignal, /left/);
  assert.equal(loadSignal!.aborted, false);
  gate.resolve('v');
  assert.equal(await without, 'v');
});

test('close aborts running loads and rejects their waiters with HR_CACHE_CLOSED', async () => {
  const { cache } = testCache<string>();
  let loadSignal: AbortSignal | undefined;
  const wait = cache.getOrLoad('k', ({ signal }) => {
    loadSignal = signal;
    return new Promise<string>(() => {});
  });
  await cache.close();
  await assert.rejects(wait, (e) => isHeadroomError(e, 'HR_CACHE_CLOSED'));
  assert.equal(loadSignal!.aborted, true);
});
