/**
 * The machine's speed from the answers (lab/client/machine-speed.ts): a stretch where every replica
 * answers twice as slowly is a factor of 2 in its bins and 1 elsewhere, whatever each replica's own
 * pace; at a steady speed the answers' spread is only their own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from 'headroom';
import { resampledTimeline, speedTimeline, steadySpeedRatios, SPEED_BIN_MS } from '../../src/lab/client/machine-speed.js';
import type { RoundTrip } from '../../src/lab/client/round-trips.js';

/** 3 replicas answering every 0.5 ms in turn for 4 s (replica 0 ten times slower); twice as slow in the first 100 ms of every second. */
function trips(): RoundTrip[] {
  const random = new SeededRandom(3);
  return Array.from({ length: 8000 }, (_, i) => {
    const t = i * 0.5;
    const replica = i % 3;
    const own = (replica === 0 ? 40 : 4) * (0.9 + 0.2 * random.next());
    return { t, replica, ms: own * (t % 1000 < 100 ? 2 : 1) };
  });
}

test('a stretch at half speed is a factor of 2 in its bins, 1 elsewhere, each replica against its own median', () => {
  const timeline = speedTimeline(trips(), 0, 4000, 250);
  assert.equal(timeline.binMs, SPEED_BIN_MS);
  assert.equal(timeline.factors.length, 4000 / SPEED_BIN_MS);
  timeline.factors.forEach((f, b) => {
    const slow = (b * SPEED_BIN_MS) % 1000 < 100;
    assert.ok(Math.abs(f - (slow ? 2 : 1)) < 0.1, `bin ${b}: ${f}`);
  });
});

test('round trips at or over the injected stall are left out, and a bin without an answer is at full speed', () => {
  const some = trips().filter((r) => r.t >= 2000);
  const stalled = [...some, { t: 2001, replica: 1, ms: 250 }, { t: 2001.1, replica: 1, ms: 250 }, { t: 2001.2, replica: 1, ms: 250 }];
  const timeline = speedTimeline(stalled, 0, 4000, 250);
  assert.ok(timeline.factors.slice(0, 100).every((f) => f === 1));
  assert.ok(Math.abs(timeline.factors[2000 / SPEED_BIN_MS]! - 2) < 0.1, `${timeline.factors[100]}`);
});

test("at a steady speed a replica's answers keep only their own spread: the top of the recorded spread is the slow stretches", () => {
  const all = trips();
  const timeline = speedTimeline(all, 0, 4000, 250);
  const [slow, fast] = steadySpeedRatios(all, timeline, 0, 4000, 250, 3, [50, 95, 99]);
  // a tenth of the time at double: the p95 and p99 were the stretches' answers, the p50 was not
  for (const ratios of [slow!, fast!]) {
    const [[, p50], [, p95], [, p99]] = ratios as [[number, number], [number, number], [number, number]];
    assert.ok(Math.abs(p50 - 1) < 0.05, `p50 ratio ${p50}`);
    assert.ok(p95 < 0.65 && p99 < 0.6, `p95 ratio ${p95}, p99 ratio ${p99}`);
  }
  assert.deepEqual(steadySpeedRatios(all, timeline, 0, 4000, 250, 4, [50])[3], [], 'a replica without an answer');
});

test("a drawn timeline is blocks of the source: its length, the source's bins in runs of a block, the same for a seed", () => {
  // factors that name their bin, so each drawn bin says where it came from
  const source = { binMs: SPEED_BIN_MS, factors: Array.from({ length: 100 }, (_, b) => 1 + b / 100) };
  const drawn = resampledTimeline(source, 250, 25, new SeededRandom(7));
  assert.equal(drawn.binMs, SPEED_BIN_MS);
  assert.equal(drawn.factors.length, 250);
  const at = drawn.factors.map((f) => Math.round((f - 1) * 100));
  for (let block = 0; block < 10; block++) {
    const run = at.slice(block * 25, block * 25 + 25);
    assert.ok(run[0]! >= 0 && run[0]! <= 75, `block ${block} starts at bin ${run[0]}: a full block of the source`);
    run.forEach((bin, i) => assert.equal(bin, run[0]! + i, `block ${block}: consecutive source bins`));
  }
  assert.ok(new Set(at.filter((_, i) => i % 25 === 0)).size > 1, 'blocks start at different bins');
  assert.deepEqual(resampledTimeline(source, 250, 25, new SeededRandom(7)).factors, drawn.factors);
  assert.notDeepEqual(resampledTimeline(source, 250, 25, new SeededRandom(8)).factors, drawn.factors);
  // the last block is cut to fit; a source shorter than a block is drawn whole
  assert.equal(resampledTimeline(source, 30, 25, new SeededRandom(1)).factors.length, 30);
  const short = resampledTimeline({ binMs: 20, factors: [2, 3] }, 5, 25, new SeededRandom(1));
  assert.deepEqual(short.factors, [2, 3, 2, 3, 2]);
  assert.throws(() => resampledTimeline({ binMs: 20, factors: [] }, 5, 25, new SeededRandom(1)), /no bin/);
  assert.throws(() => resampledTimeline(source, 0, 25, new SeededRandom(1)), /bins must be a positive integer/);
});
