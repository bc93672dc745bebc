import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoarseClock } from '../../src/core/coarse-clock.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { isHeadroomError } from '../../src/core/errors.js';

test('coarse clock: reuses one reading for the resolution, then reads the base clock again; no timer while idle', async () => {
  const base = new VirtualClock();
  const coarse = new CoarseClock(base, 1);
  const t0 = base.now();
  assert.equal(coarse.now(), t0);
  await base.advanceBy(0.5);
  assert.equal(coarse.now(), t0, 'within the resolution the first reading is reused');
  await base.advanceBy(0.5);
  assert.equal(coarse.now(), t0 + 1, 'after the resolution the clock is read again');
  await base.advanceBy(100);
  assert.equal(base.pendingTimers, 0, 'idle: the reading was dropped and no timer is armed');
  assert.equal(coarse.now(), t0 + 101);
});

test("coarse clock: wall time and timers are the base clock's; a bad resolution is refused", async () => {
  const base = new VirtualClock();
  const coarse = new CoarseClock(base, 5);
  assert.equal(coarse.wallNow(), base.wallNow());
  let fired = 0;
  coarse.setTimer(3, () => fired++);
  await base.advanceBy(3);
  assert.equal(fired, 1, 'the timer ran on the base clock at its exact time, not the coarse one');
  for (const bad of [0, -1, Number.NaN, Infinity]) {
    assert.throws(
      () => new CoarseClock(base, bad),
      (e) => isHeadroomError(e, 'HR_CORE_INVALID_OPTION'),
    );
  }
});
