import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from 'headroom';
import { PhaseRecorder, cdfPoints } from '../../src/lab/load/phase-recorder.js';

test('percentiles cover successes only; errors are counted by kind; intervals reset', async () => {
  const clock = new VirtualClock();
  const r = new PhaseRecorder(clock);
  const t0 = clock.now();
  await clock.advanceBy(500);
  for (let i = 1; i <= 100; i++) r.recorder.record(clock.now() - i, clock.now());
  r.recorder.recordFailure('shed');
  r.recorder.recordFailure('timeout');
  r.recorder.recordFailure('timeout');
  const p = r.cut(r.recorder.snapshot(), (clock.now() - t0) / 1000, 40);
  assert.equal(r.okCount, 100);
  assert.deepEqual(r.errors, { timeout: 2, shed: 1, http: 0, network: 0 });
  assert.equal(r.errorCount, 3);
  assert.equal(p.tSec, 0.5);
  assert.equal(p.okPerSec, 200);
  assert.equal(p.errorsPerSec, 6);
  assert.equal(p.completedPerSec, 206);
  assert.equal(p.storeQps, 80);
  assert.ok(Math.abs(p.p50! - 50) <= 0.1 && Math.abs(p.p99! - 99) <= 0.1, JSON.stringify(p));
  // The next interval has no success: its percentiles are null (a gap on the chart), not 0.
  await clock.advanceBy(500);
  r.recorder.recordFailure('timeout');
  const q = r.cut(r.recorder.snapshot(), (clock.now() - t0) / 1000, 0);
  assert.equal(q.p99, null);
  assert.equal(q.errorsPerSec, 2);
  assert.equal(r.timeline.length, 2);
  assert.equal(r.ok.count, 100);
});

test('CDF points rise with the percentile from p0 to p100 on a nines scale', () => {
  const clock = new VirtualClock();
  const r = new PhaseRecorder(clock);
  for (let i = 1; i <= 10_000; i++) r.recorder.record(clock.now() - i / 10, clock.now());
  const cdf = cdfPoints(r.ok);
  assert.equal(cdf[0]!.percentile, 0);
  assert.equal(cdf.at(-1)!.percentile, 100);
  assert.ok(cdf.some((c) => c.percentile === 99) && cdf.some((c) => c.percentile === 99.9));
  for (let i = 1; i < cdf.length; i++) {
    assert.ok(cdf[i]!.percentile > cdf[i - 1]!.percentile);
    assert.ok(cdf[i]!.ms >= cdf[i - 1]!.ms);
  }
  assert.ok(Math.abs(cdf.find((c) => c.percentile === 90)!.ms - 900) <= 1);
  assert.deepEqual(cdfPoints(new PhaseRecorder(clock).ok), []);
});
