import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { sleep } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { isHeadroomError } from '../../src/core/errors.js';

test('starts at a non-zero epoch', () => {
  const clock = new VirtualClock();
  assert.ok(clock.now() > 0);
  assert.ok(clock.wallNow() > 1_600_000_000_000);
  assert.throws(
    () => new VirtualClock({ startMs: 0 }),
    (e) => isHeadroomError(e, 'HR_CORE_INVALID_OPTION'),
  );
});

async function fireTenThousand(seed: number): Promise<Array<[number, number]>> {
  const clock = new VirtualClock();
  const random = new SeededRandom(seed);
  const start = clock.now();
  const fired: Array<[number, number]> = [];
  const scheduled: Array<[number, number]> = [];
  for (let i = 0; i < 10_000; i++) {
    const delay = random.int(5_000);
    scheduled.push([delay, i]);
    clock.setTimer(delay, () => fired.push([clock.now() - start, i]));
  }
  await clock.runUntilIdle();
  // Expected order: by time, ties by insertion.
  scheduled.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  assert.deepEqual(fired, scheduled);
  return fired;
}

test('10,000 timers at seeded random times fire in time order, ties by insertion, twice identically', async () => {
  const first = await fireTenThousand(7);
  const second = await fireTenThousand(7);
  assert.deepEqual(first, second);
});

test('cancel is idempotent and prevents firing; cancel after firing is harmless', async () => {
  const clock = new VirtualClock();
  let fired = 0;
  const a = clock.setTimer(10, () => fired++);
  const b = clock.setTimer(20, () => fired++);
  a.cancel();
  a.cancel();
  await clock.advanceBy(30);
  b.cancel();
  assert.equal(fired, 1);
  assert.equal(clock.pendingTimers, 0);
});

test('a chain of await sleep() inside async functions advances exactly as scheduled', async () => {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const log: string[] = [];
  const worker = async (name: string, steps: number[]): Promise<void> => {
    for (const ms of steps) {
      await sleep(clock, ms);
      log.push(`${name}@${clock.now() - t0}`);
    }
  };
  const a = worker('a', [10, 10, 10]);
  const b = worker('b', [15, 15]);
  await clock.advanceBy(25);
  assert.deepEqual(log, ['a@10', 'b@15', 'a@20']);
  assert.equal(clock.now() - t0, 25);
  await clock.advanceBy(5);
  // Both wake at 30; b's timer was scheduled first (at 15), so it fires first.
  assert.deepEqual(log, ['a@10', 'b@15', 'a@20', 'b@30', 'a@30']);
  await Promise.all([a, b]);
});

test('timers scheduled from inside a timer at zero delay run in the same advance', async () => {
  const clock = new VirtualClock();
  const order: number[] = [];
  clock.setTimer(5, () => {
    order.push(1);
    clock.setTimer(0, () => order.push(2));
  });
  clock.setTimer(5, () => order.push(3));
  await clock.advanceBy(5);
  assert.deepEqual(order, [1, 3, 2]);
});

test('sleep rejects with the signal reason and cancels its timer on abort', async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  const p = sleep(clock, 100, controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
  assert.equal(clock.pendingTimers, 0);
  await assert.rejects(sleep(clock, 1, controller.signal), /stop/);
});

test('advanceTo never moves time backwards; runUntilIdle catches runaway timers', async () => {
  const clock = new VirtualClock();
  const t = clock.now();
  await clock.advanceTo(t - 100);
  assert.equal(clock.now(), t);
  const again = (): void => {
    clock.setTimer(1, again);
  };
  again();
  await assert.rejects(clock.runUntilIdle(100), (e) => isHeadroomError(e, 'HR_CORE_INVALID_STATE'));
});
