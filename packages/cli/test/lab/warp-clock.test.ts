import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from 'headroom';
import { WarpClock } from '../../src/lab/service/warp-clock.js';

test('advanceTo jumps forward only; afterwards time runs on with the base, ahead by the jump; wall time moves with it', async () => {
  const base = new VirtualClock();
  const warp = new WarpClock(base);
  const t0 = warp.now();
  const wall0 = warp.wallNow();
  assert.equal(t0, base.now());
  warp.advanceTo(t0 + 60_000);
  assert.equal(warp.now(), t0 + 60_000);
  assert.equal(warp.wallNow(), wall0 + 60_000);
  warp.advanceTo(t0 + 10_000); // the past: no change
  assert.equal(warp.now(), t0 + 60_000);
  await base.advanceBy(500);
  assert.equal(warp.now(), t0 + 60_500);
  assert.equal(warp.aheadMs, 60_000);
  // Timers keep their real delays: a jump does not fire them.
  let fired = 0;
  warp.setTimer(1_000, () => fired++);
  warp.advanceTo(warp.now() + 5_000);
  assert.equal(fired, 0);
  await base.advanceBy(1_000);
  assert.equal(fired, 1);
});
