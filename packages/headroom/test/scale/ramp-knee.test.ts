/**
 * Ramped schedules (exact by time rescaling) and the knee of an open-loop sweep. Pure: no clock, no
 * sockets; statistical checks fix the seed and derive the tolerance from the count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError, SeededRandom } from '../../src/index.js';
import { arrivalOffsets, findKnee, rampRate, type ArrivalSchedule, type RatePoint } from '../../src/scale/index.js';

const random = (): { random: SeededRandom } => ({ random: new SeededRandom(16) });

test('a constant ramp 100 → 300 req/s over 10 s sends Λ(10 s) = 2,000 requests, 10 ms apart at the start and 3.33 ms at the end', () => {
  const t = [...arrivalOffsets(rampRate(100, 300, '10s'), random())];
  assert.equal(t.length, 2000);
  assert.equal(t[0], 0);
  assert.ok(Math.abs(t[1]! - t[0]! - 10) < 0.05, `first gap ${t[1]! - t[0]!}`);
  assert.ok(Math.abs(t[1999]! - t[1998]! - 1000 / 300) < 0.05, `last gap ${t[1999]! - t[1998]!}`);
  // Λ(5 s) = 100·5 + (300 − 100)·25 / 20 = 750: arrival 750 is at 5 s.
  assert.ok(Math.abs(t[750]! - 5000) < 1e-6, `arrival 750 at ${t[750]}`);
  for (let i = 1; i < t.length; i++) assert.ok(t[i]! > t[i - 1]! && t[i]! < 10_000);
});

test('a ramp down, and a ramp from 0, are exact too', () => {
  const down = [...arrivalOffsets(rampRate(300, 100, '10s'), random())];
  assert.equal(down.length, 2000);
  assert.ok(Math.abs(down[1]! - 1000 / 300) < 0.05);
  const up: ArrivalSchedule = {
    arrivals: 'constant',
    steps: [
      { ratePerSec: 0, toRatePerSec: 200, duration: '2s' },
      { ratePerSec: 200, duration: '1s' },
    ],
  };
  const t = [...arrivalOffsets(up, random())];
  assert.equal(t.length, 200 + 200, 'Λ = 200 over the ramp, then 200 in the held second');
  // Λ(t) = 50 t² on the ramp (t in s): the 50th arrival is at 1 s.
  assert.ok(Math.abs(t[50]! - 1000) < 1e-6);
  assert.equal(t[200], 2000, 'the held step starts at its boundary');
});

test('a Poisson ramp has Poisson counts with the ramp mean in each half (seeded; tolerance 5 standard deviations)', () => {
  const t = [...arrivalOffsets(rampRate(100, 300, '10s', 'poisson'), random())];
  const firstHalf = t.filter((x) => x < 5000).length;
  const secondHalf = t.length - firstHalf;
  for (const [count, mean] of [
    [firstHalf, 750],
    [secondHalf, 1250],
  ] as const) {
    assert.ok(Math.abs(count - mean) < 5 * Math.sqrt(mean), `count ${count}, expected ${mean} ± ${5 * Math.sqrt(mean)}`);
  }
  for (let i = 1; i < t.length; i++) assert.ok(t[i]! >= t[i - 1]!);
});

test('a ramp with a bad end rate is refused, naming the step', () => {
  assert.throws(
    () => [...arrivalOffsets({ arrivals: 'constant', steps: [{ ratePerSec: 1, toRatePerSec: -5, duration: '1s' }] }, random())],
    (e) => isHeadroomError(e, 'HR_SCALE_INVALID_OPTION') && /schedule\.steps\[0\]\.toRatePerSec/.test(e.message),
  );
});

const point = (offeredPerSec: number, achievedPerSec: number, p99Ms: number, errorRate = 0): RatePoint => ({
  offeredPerSec,
  achievedPerSec,
  p99Ms,
  errorRate,
});

test('the knee: the first rate whose p99 passes k × the low-load p99, whose ok/s falls below 95% of offered, or whose errors pass 1%', () => {
  const sweep = [point(400, 399, 4), point(100, 100, 2), point(200, 200, 2.5), point(800, 700, 900), point(600, 598, 7)];
  const r = findKnee(sweep);
  assert.equal(r.latencyLimitMs, 6);
  assert.deepEqual(
    r.points.map((p) => [p.offeredPerSec, p.holds, p.reasons]),
    [
      [100, true, []],
      [200, true, []],
      [400, true, []],
      [600, false, ['latency']],
      [800, false, ['latency', 'throughput']],
    ],
  );
  assert.equal(r.knee?.offeredPerSec, 600);
  assert.equal(r.lastGood?.offeredPerSec, 400);
  assert.equal(findKnee([point(100, 100, 2), point(200, 180, 2)]).knee?.reasons[0], 'throughput');
  assert.deepEqual(findKnee([point(100, 100, 2), point(200, 200, 2, 0.02)]).knee?.reasons, ['errors']);
});

test('the knee: a sub-millisecond baseline is floored, every rate holding means no knee, and bad input is refused', () => {
  const r = findKnee([point(100, 100, 0.2), point(200, 200, 2.5)]);
  assert.equal(r.latencyLimitMs, 3, '3 × max(0.2 ms, 1 ms floor)');
  assert.equal(r.knee, null);
  assert.equal(r.lastGood?.offeredPerSec, 200);
  assert.equal(findKnee([point(100, 50, 1)]).lastGood, null);
  assert.throws(
    () => findKnee([]),
    (e) => isHeadroomError(e, 'HR_SCALE_INVALID_OPTION'),
  );
  assert.throws(
    () => findKnee([point(100, Number.NaN, 1)]),
    (e) => isHeadroomError(e, 'HR_SCALE_INVALID_OPTION') && /points\[0\]\.achievedPerSec/.test(e.message),
  );
  assert.throws(
    () => findKnee([point(1, 1, 1)], { latencyFactor: 1 }),
    (e) => isHeadroomError(e, 'HR_SCALE_INVALID_OPTION'),
  );
});
