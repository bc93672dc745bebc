import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom, VirtualClock, isHeadroomError } from 'headroom';
import { runOpenLoop } from '../../src/lab/load/open-loop.js';

test('Poisson arrivals at the set rate, intended times inside the window and increasing', async () => {
  const clock = new VirtualClock();
  const start = clock.now();
  const intended: number[] = [];
  const done = runOpenLoop({
    ratePerSec: 1_000,
    durationMs: 10_000,
    clock,
    random: new SeededRandom(11),
    signal: new AbortController().signal,
    fire: (t) => intended.push(t),
  });
  await clock.advanceBy(10_000);
  const fired = await done;
  // N ~ Poisson(10,000): σ = 100, allow 4σ.
  assert.equal(fired, intended.length);
  assert.ok(Math.abs(fired - 10_000) <= 400, `fired ${fired}`);
  for (let i = 1; i < intended.length; i++) assert.ok(intended[i]! >= intended[i - 1]!);
  assert.equal(intended[0], start);
  assert.ok(intended.at(-1)! < start + 10_000);
  // Exponential gaps: the share of gaps shorter than the mean is 1 − 1/e ≈ 0.632 (σ ≈ 0.005 at N = 10k).
  let short = 0;
  for (let i = 1; i < intended.length; i++) if (intended[i]! - intended[i - 1]! < 1) short++;
  assert.ok(Math.abs(short / (intended.length - 1) - (1 - Math.exp(-1))) < 0.02, `short share ${short / intended.length}`);
});

test('late timers: every overdue arrival still fires, with its own intended time (no coordinated omission)', async () => {
  const clock = new VirtualClock();
  // A sluggish event loop: every timer fires 50 ms after it was due.
  const sluggish = {
    now: () => clock.now(),
    wallNow: () => clock.wallNow(),
    setTimer: (ms: number, fn: () => void) => clock.setTimer(ms + 50, fn),
  };
  const lateness: number[] = [];
  const intended: number[] = [];
  const done = runOpenLoop({
    ratePerSec: 1_000,
    durationMs: 2_000,
    clock: sluggish,
    random: new SeededRandom(5),
    signal: new AbortController().signal,
    fire: (t) => {
      intended.push(t);
      lateness.push(clock.now() - t);
    },
  });
  await clock.advanceBy(2_100);
  const fired = await done;
  // Poisson(2,000): σ ≈ 45; the schedule is not thinned by the late timers.
  assert.ok(Math.abs(fired - 2_000) <= 180, `fired ${fired}`);
  assert.ok(Math.max(...lateness) >= 45 && Math.max(...lateness) <= 51, `max lateness ${Math.max(...lateness)}`);
  // Callers time from the intended send, so the 50 ms the generator lost is charged, not hidden.
  assert.ok(lateness.filter((l) => l > 10).length > fired / 2);
});

test('same seed, same schedule; abort stops early; bad rate rejected', async () => {
  const schedule = async (seed: number, abortAtMs?: number): Promise<number[]> => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const times: number[] = [];
    const done = runOpenLoop({
      ratePerSec: 200,
      durationMs: 1_000,
      clock,
      random: new SeededRandom(seed),
      signal: controller.signal,
      fire: (t) => times.push(t),
    });
    if (abortAtMs !== undefined) {
      await clock.advanceBy(abortAtMs);
      controller.abort();
    }
    await clock.advanceBy(1_000);
    await done;
    return times;
  };
  assert.deepEqual(await schedule(9), await schedule(9));
  assert.notDeepEqual(await schedule(9), await schedule(10));
  const full = await schedule(9);
  const cut = await schedule(9, 300);
  assert.ok(cut.length < full.length / 2, `${cut.length} vs ${full.length}`);
  assert.throws(
    () =>
      runOpenLoop({
        ratePerSec: 0,
        durationMs: 1,
        clock: new VirtualClock(),
        random: new SeededRandom(1),
        signal: new AbortController().signal,
        fire: () => undefined,
      }),
    (e) => isHeadroomError(e, 'HR_LAB_INVALID_OPTION'),
  );
});
