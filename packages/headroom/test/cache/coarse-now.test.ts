import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoarseNow } from '../../src/cache/coarse-now.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';

test('coarse now: reuses one reading for the resolution, then reads the clock again; no timer while idle', async () => {
  const clock = new VirtualClock();
  const coarse = new CoarseNow(clock, 1);
  const t0 = clock.now();
  assert.equal(coarse.now(), t0);
  await clock.advanceBy(0.5);
  assert.equal(coarse.now(), t0, 'within the resolution the first reading is reused');
  await clock.advanceBy(0.5);
  assert.equal(coarse.now(), t0 + 1, 'after the resolution the clock is read again');
  await clock.advanceBy(100);
  assert.equal(clock.pendingTimers, 0, 'idle: the reading was dropped and no timer is armed');
  assert.equal(coarse.now(), t0 + 101);
});
