import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { LatencyRecorder, type EventLoopDelaySource, type IntervalSnapshot } from '../../src/latency/index.js';

test('latency is measured from the intended start: a stalled generator is charged for the delay it caused', async () => {
  // An open-loop schedule of one request per 10 ms. The client stalls for 100 ms at t = 0, so the
  // requests due at 10..90 ms go out late; each still takes 1 ms of service.
  const clock = new VirtualClock();
  const recorder = new LatencyRecorder({ clock, eventLoop: false });
  const start = clock.now();
  await clock.advanceBy(100); // the stall
  for (let i = 0; i < 10; i++) {
    const intended = start + i * 10;
    await clock.advanceBy(1); // service time
    recorder.record(intended);
  }
  const s = recorder.total();
  assert.equal(s.count, 10);
  assert.ok(s.max >= 100, `the first request waited the whole stall: ${s.max}`);
  assert.ok(s.p50 >= 50, `most requests were delayed by the stall: p50 ${s.p50}`);
  assert.equal(recorder.percentile(0), s.min);
});

test('recordCorrected back-fills what a closed-loop generator did not send', () => {
  const recorder = new LatencyRecorder({ clock: new VirtualClock(), eventLoop: false });
  recorder.recordCorrected(100, 10);
  assert.equal(recorder.total().count, 10);
});

test('interval snapshots close an interval and start the next; every() emits on the clock; failures are counted', async () => {
  const clock = new VirtualClock();
  const loop: EventLoopDelaySource = {
    enabled: 0,
    enable() {
      this.enabled++;
    },
    disable() {
      this.enabled--;
    },
    reset() {
      this.max = 0;
    },
    percentile: (p: number) => p * 1e5,
    max: 7e6,
    mean: 3e6,
  } as EventLoopDelaySource & { enabled: number; max: number };
  const recorder = new LatencyRecorder({ clock, eventLoop: loop });
  const seen: IntervalSnapshot[] = [];
  const sub = recorder.every(1000, (s) => seen.push(s));
  for (let i = 0; i < 5; i++) recorder.record(clock.now() - 20);
  recorder.recordFailure();
  await clock.advanceBy(1000);
  recorder.record(clock.now() - 40);
  await clock.advanceBy(1000);
  sub.dispose();
  await clock.advanceBy(5000);
  assert.equal(seen.length, 2);
  assert.equal(seen[0]!.latency.count, 5);
  assert.ok(Math.abs(seen[0]!.latency.p50 - 20) <= 0.02, 'HdrHistogram: 3 significant digits');
  assert.equal(seen[0]!.failures, 1);
  assert.equal(seen[0]!.ratePerSec, 6);
  assert.deepEqual(seen[0]!.eventLoopDelay, { p50: 5, p99: 9.9, max: 7, mean: 3 });
  assert.equal(seen[1]!.latency.count, 1);
  assert.ok(Math.abs(seen[1]!.latency.p50 - 40) <= 0.04);
  assert.equal(seen[1]!.startMs, seen[0]!.endMs);
  assert.equal(seen[1]!.eventLoopDelay!.max, 0, 'reset after each interval');
  assert.equal(recorder.total().count, 6);
  assert.equal(recorder.failures, 1);
  recorder.close();
  assert.equal((loop as unknown as { enabled: number }).enabled, 0);
});

test('the built-in monitor sees a blocked event loop (a local stall, not the backend)', async () => {
  const recorder = new LatencyRecorder({ eventLoopResolution: 1 });
  await new Promise((resolve) => setImmediate(resolve));
  const until = performance.now() + 60;
  while (performance.now() < until) {
    /* block the loop for 60 ms */
  }
  await new Promise((resolve) => setImmediate(resolve));
  const delay = recorder.snapshot().eventLoopDelay!;
  recorder.close();
  // The monitor's timer could not run during the 60 ms block, so it saw at least one long delay.
  assert.ok(delay.max >= 40, `event-loop max delay ${delay.max} ms after a 60 ms block`);
});

test('failures are counted by kind (default "failure"); histogram() is a copy of every success', () => {
  const clock = new VirtualClock();
  const recorder = new LatencyRecorder({ clock, eventLoop: false });
  recorder.recordFailure('timeout');
  recorder.recordFailure('shed');
  recorder.recordFailure('timeout');
  recorder.recordFailure();
  assert.deepEqual(recorder.failuresByKind(), { timeout: 2, shed: 1, failure: 1 });
  assert.equal(recorder.failures, 4);
  recorder.record(clock.now() - 5);
  recorder.record(clock.now() - 7);
  const copy = recorder.histogram();
  assert.equal(copy.count, 2);
  assert.ok(Math.abs(copy.percentile(100) - 7) <= 0.007, 'HDR: 3 significant digits');
  copy.reset();
  assert.equal(recorder.total().count, 2, 'the copy is independent');
  assert.equal(recorder.snapshot().failures, 4, 'the interval saw every failure');
});
