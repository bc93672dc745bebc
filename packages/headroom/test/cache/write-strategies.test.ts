import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refreshAhead, writeBehind, writeThrough, type Source, type WriteBehindEvent } from '../../src/cache/index.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import type { VirtualClock } from '../../src/core/virtual-clock.js';
import { deferred, flushMicrotasks, testCache } from './helpers.js';

/** An in-memory source whose writes can be held open or failed, recording the order applied. */
class TestSource implements Source<string> {
  readonly data = new Map<string, string>();
  readonly applied: string[] = [];
  gets = 0;
  hold: Array<() => void> | undefined;
  failNext = 0;
  async get(key: string): Promise<string | undefined> {
    this.gets++;
    return this.data.get(key);
  }
  async set(key: string, value: string): Promise<void> {
    await this.#gate();
    this.data.set(key, value);
    this.applied.push(`${key}=${value}`);
  }
  async delete(key: string): Promise<void> {
    await this.#gate();
    this.data.delete(key);
    this.applied.push(`${key}=∅`);
  }
  async #gate(): Promise<void> {
    if (this.hold !== undefined) await new Promise<void>((resolve) => this.hold!.push(resolve));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('source down');
    }
  }
}

test('write-through: the source first, then the cache; per-key order kept; a failed write leaves the cache without the key', async () => {
  const { cache } = testCache<string>();
  const source = new TestSource();
  const store = writeThrough(cache, source);
  source.hold = [];
  const w1 = store.set('k', 'v1');
  const w2 = store.set('k', 'v2');
  await flushMicrotasks();
  assert.equal(cache.has('k'), false); // never ahead of the source
  assert.equal(source.hold.length, 1); // v2 waits for v1
  source.hold.shift()!();
  await w1;
  assert.equal(cache.getSync('k'), 'v1');
  await flushMicrotasks();
  source.hold.shift()!();
  await w2;
  source.hold = undefined;
  assert.equal(cache.getSync('k'), 'v2');
  assert.deepEqual(source.applied, ['k=v1', 'k=v2']);
  source.failNext = 1;
  await assert.rejects(store.set('k', 'v3'), /source down/);
  assert.equal(cache.has('k'), false);
  assert.equal(await store.get('k'), 'v2');
  await store.delete('k');
  assert.equal(await store.get('k'), undefined);
});

test('write-through: a read racing a write cannot put the old value back (the write voids the load)', async () => {
  const { cache } = testCache<string>();
  const source = new TestSource();
  source.data.set('k', 'old');
  const gate = deferred<void>();
  const slowSource: Source<string> = {
    ...source,
    get: async (key) => {
      const v = source.data.get(key);
      await gate.promise;
      return v;
    },
    set: (k, v) => source.set(k, v),
    delete: (k) => source.delete(k),
  };
  const store = writeThrough(cache, slowSource);
  const read = store.get('k');
  await store.set('k', 'new');
  gate.resolve();
  assert.equal(await read, 'old'); // the read began before the write
  assert.equal(cache.getSync('k'), 'new');
});

function behind(clock: VirtualClock, cache: ReturnType<typeof testCache<string>>['cache'], source: TestSource, options = {}) {
  return writeBehind(cache, source, {
    clock,
    random: new SeededRandom(9),
    flushInterval: 1000,
    maxBatch: 3,
    retryBackoff: { initial: 100, max: 1000 },
    ...options,
  });
}

test('write-behind: acknowledged at once, visible at once, coalesced per key, flushed by interval', async () => {
  const { cache, clock } = testCache<string>();
  const source = new TestSource();
  const wb = behind(clock, cache, source);
  await wb.set('a', '1');
  await wb.set('a', '2');
  await wb.set('b', '1');
  assert.equal(await wb.get('a'), '2');
  assert.deepEqual(source.applied, []);
  await clock.advanceBy(1000);
  assert.deepEqual(source.applied.sort(), ['a=2', 'b=1']);
  assert.equal(wb.stats().coalesced, 1);
  await wb.close();
});

test('write-behind: flushed by size (maxBatch) without waiting for the interval', async () => {
  const { cache, clock } = testCache<string>();
  const source = new TestSource();
  const wb = behind(clock, cache, source);
  for (const k of ['a', 'b', 'c']) await wb.set(k, 'x');
  await flushMicrotasks();
  assert.equal(source.applied.length, 3);
  await wb.close();
});

test('write-behind: ordered per key — a newer value is never overwritten by an older in-flight one', async () => {
  const { cache, clock } = testCache<string>();
  const source = new TestSource();
  const wb = behind(clock, cache, source, { maxBatch: 100 });
  source.hold = [];
  await wb.set('k', 'v1');
  const flushing = wb.flush();
  await flushMicrotasks();
  assert.equal(source.hold.length, 1); // v1 in flight
  await wb.set('k', 'v2');
  await wb.set('k', 'v3');
  assert.equal(await wb.get('k'), 'v3');
  source.hold.shift()!();
  await flushMicrotasks();
  assert.equal(source.hold.length, 1); // v3 follows only after v1 finished
  source.hold.shift()!();
  await flushing;
  assert.deepEqual(source.applied, ['k=v1', 'k=v3']);
  source.hold = undefined;
  await wb.close();
});

test('write-behind: failed writes retry with backoff and are reported; flush rejects with HR_CACHE_WRITE_BEHIND_FAILED', async () => {
  const { cache, clock } = testCache<string>();
  const source = new TestSource();
  const wb = behind(clock, cache, source, { maxBatch: 100, flushInterval: 50 });
  const events: WriteBehindEvent[] = [];
  wb.on((e) => events.push(e));
  source.failNext = 2;
  await wb.set('k', 'v');
  await clock.advanceBy(50);
  assert.equal(events[0]?.type, 'write-error');
  await assert.rejects(
    wb.flush(),
    (e) => isHeadroomError(e, 'HR_CACHE_WRITE_BEHIND_FAILED') && (e as unknown as { keys: string[] }).keys[0] === 'k',
  );
  assert.equal(wb.stats().pending, 1);
  await clock.advanceBy(2000);
  assert.deepEqual(source.applied, ['k=v']);
  assert.deepEqual(
    events.map((e) => e.type),
    ['write-error', 'write-error', 'written'],
  );
  const retry = events[1]!;
  assert.ok(retry.type === 'write-error' && retry.attempts === 2 && retry.retryInMs >= 100 && retry.retryInMs <= 200);
  await wb.close();
});

test('write-behind: maxAttempts drops a write with an event; close drains and then refuses writes', async () => {
  const { cache, clock } = testCache<string>();
  const source = new TestSource();
  const wb = behind(clock, cache, source, { maxBatch: 100, flushInterval: 10, retryBackoff: { initial: 1, max: 1 }, maxAttempts: 2 });
  const events: string[] = [];
  wb.on((e) => events.push(e.type));
  source.failNext = 5;
  await wb.set('k', 'v');
  await clock.advanceBy(100);
  assert.deepEqual(events, ['write-error', 'write-dropped']);
  assert.equal(wb.stats().dropped, 1);
  source.failNext = 0;
  await wb.set('a', '1');
  await wb.delete('b');
  await wb.close();
  assert.deepEqual(source.applied, ['a=1', 'b=∅']);
  await assert.rejects(wb.set('a', '2'), (e) => isHeadroomError(e, 'HR_CACHE_CLOSED'));
  assert.equal(clock.pendingTimers, 0);
});

test('write-behind: backpressure — at maxPending keys, a write waits until a write to the source starts', async () => {
  const { cache, clock } = testCache<string>();
  const source = new TestSource();
  const wb = behind(clock, cache, source, { maxBatch: 100, maxPending: 2 });
  source.hold = [];
  await wb.set('a', '1');
  await wb.set('b', '1');
  let third = false;
  const p = wb.set('c', '1').then(() => {
    third = true;
  });
  await flushMicrotasks();
  assert.equal(third, true); // room was made by starting the queued writes
  assert.equal(wb.stats().inFlight, 2);
  await p;
  for (const release of source.hold.splice(0)) release();
  source.hold = undefined;
  await wb.close();
  assert.deepEqual(source.applied.sort(), ['a=1', 'b=1', 'c=1']);
});

test('refresh-ahead over a source: reads near expiry refresh in the background; writes go through', async () => {
  const { cache, clock } = testCache<string>({ ttl: 1000 });
  const source = new TestSource();
  source.data.set('k', 'v1');
  const store = refreshAhead(cache, source, { at: 0.5 });
  assert.equal(await store.get('k'), 'v1');
  source.data.set('k', 'v2');
  await clock.advanceBy(500);
  assert.equal(await store.get('k'), 'v1');
  await flushMicrotasks();
  assert.equal(source.gets, 2);
  assert.equal(await store.get('k'), 'v2');
  await store.set('k', 'v3');
  assert.equal(source.data.get('k'), 'v3');
  assert.throws(
    () => refreshAhead(cache, source, { at: 1.5 }),
    (e) => isHeadroomError(e, 'HR_CACHE_INVALID_OPTION'),
  );
});
