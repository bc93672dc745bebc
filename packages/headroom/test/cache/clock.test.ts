/**
 * The cache has one time source, the clock it is given: every TTL hit reads it, whatever its
 * class. The default is a coarse clock over the system clock (1 ms); the same coarse clock over a
 * VirtualClock reproduces production's behaviour in virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cache } from '../../src/cache/index.js';
import { SystemClock } from '../../src/core/clock.js';
import { CoarseClock } from '../../src/core/coarse-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';

test('every TTL hit reads the injected clock, a system clock included (no special case for its class)', async () => {
  let reads = 0;
  class CountingSystemClock extends SystemClock {
    override now(): number {
      reads++;
      return super.now();
    }
  }
  const cache = new Cache<string>({ ttl: '1h', clock: new CountingSystemClock(), random: new SeededRandom(1) });
  await cache.set('k', 'v');
  const before = reads;
  for (let i = 0; i < 100; i++) assert.equal(cache.getSync('k'), 'v');
  for (let i = 0; i < 100; i++) assert.equal(await cache.getOrLoad('k', () => 'loaded'), 'v');
  assert.equal(cache.has('k'), true);
  assert.equal(reads - before, 201, 'one read per getSync, getOrLoad and has');
  await cache.close();
});

test('a coarse clock over a virtual clock: a hit compares expiry with a reading up to 1 ms old, as in production', async () => {
  const base = new VirtualClock();
  const cache = new Cache<string>({ ttl: 10, clock: new CoarseClock(base, 1), random: new SeededRandom(1) });
  await cache.set('k', 'v');
  await base.advanceBy(9.5);
  assert.equal(cache.getSync('k'), 'v', 'fresh; this read is reused for 1 ms');
  await base.advanceBy(0.7);
  assert.equal(cache.getSync('k'), 'v', '0.2 ms past expiry, the reused reading still says fresh');
  await base.advanceBy(0.5);
  assert.equal(cache.getSync('k'), undefined, 'the reading was dropped after 1 ms: expired');
  await cache.close();
});
