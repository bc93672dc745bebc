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

test("the tier's view: wall time warps with the cache's, monotonic time and timers stay the base's", async () => {
  const base = new VirtualClock();
  const warp = new WarpClock(base);
  const t0 = warp.tier.now();
  const wall0 = warp.tier.wallNow();
  // A replay jumps an hour ahead while a tier call is on the wire: the call's deadline does not move
  // closer, but expiry times written to or read from the tier agree with the cache's.
  warp.advanceTo(warp.now() + 3_600_000);
  assert.equal(warp.tier.now(), t0);
  assert.equal(warp.tier.wallNow(), wall0 + 3_600_000);
  assert.equal(warp.tier.wallNow(), warp.wallNow());
  let fired = 0;
  warp.tier.setTimer(250, () => fired++);
  warp.advanceTo(warp.now() + 5_000);
  assert.equal(fired, 0);
  await base.advanceBy(250);
  assert.equal(fired, 1);
  assert.equal(warp.tier.now(), t0 + 250);
});
