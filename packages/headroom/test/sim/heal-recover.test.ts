/**
 * The faults that end others: `heal` ends a partition (calls across the healed pair succeed
 * again) and `recover` ends a slow-down (service times return to normal). Evenly spaced arrivals
 * and constant service times make every figure exact; each run is compared with the same run
 * without the ending fault, so the test fails if the fault does nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runModel, type FaultSpec, type ModelSpec, type RunSeries } from '../../src/sim/index.js';

/** The series points (100 ms each) whose interval lies inside [fromMs, toMs). */
function window(series: RunSeries, column: 'okPerSec' | 'failedPerSec' | 'meanMs', fromMs: number, toMs: number): number[] {
  return series.atMs.flatMap((at, i) => (at - series.intervalMs >= fromMs && at <= toMs ? [series[column][i]!] : []));
}

// Round-robin over two servers at 1,000 calls/s (every 1 ms), 0.1 ms of service, a 20 ms call
// timeout; server 1 is cut off from the client from 1 s on.
function partitioned(faults: readonly FaultSpec[]): ModelSpec {
  return {
    duration: 3000,
    arrivals: { type: 'constant', ratePerSec: 1000 },
    clients: { picker: 'round-robin', timeout: 20 },
    servers: [{ count: 2, workers: 1, service: { type: 'constant', value: 0.1 } }],
    faults: [{ atMs: 1000, action: 'partition', servers: [1], clients: [0] }, ...faults],
    series: 100,
  };
}

test('heal: calls across a healed partition succeed again (half the calls fail while it lasts, none after)', () => {
  const healed = runModel(partitioned([{ atMs: 2000, action: 'heal', servers: [1], clients: [0] }]), 1);
  const cut = runModel(partitioned([]), 1);
  for (const r of [healed, cut]) {
    assert.deepEqual(new Set(window(r.series!, 'failedPerSec', 0, 1000)), new Set([0]));
    assert.deepEqual(new Set(window(r.series!, 'failedPerSec', 1100, 2000)), new Set([500]), 'every other call is lost');
    assert.deepEqual(new Set(window(r.series!, 'okPerSec', 1100, 2000)), new Set([500]));
  }
  // After the heal (and the last lost call's 20 ms timeout) nothing fails; without it, half still does.
  assert.deepEqual(new Set(window(healed.series!, 'failedPerSec', 2100, 3000)), new Set([0]));
  assert.deepEqual(new Set(window(healed.series!, 'okPerSec', 2100, 3000)), new Set([1000]));
  assert.deepEqual(new Set(window(cut.series!, 'failedPerSec', 2100, 3000)), new Set([500]));
  // Server 1 serves its half of the calls before the partition and after the heal only.
  assert.ok(Math.abs(healed.served[1]! - 2000 / 2) <= 2, `server 1 served ${healed.served[1]}`);
  assert.ok(Math.abs(cut.served[1]! - 1000 / 2) <= 2, `server 1 served ${cut.served[1]} without the heal`);
});

test('recover: a slowed server (×5) returns to its normal service time', () => {
  // One server, 1 ms of service, a call every 10 ms (never a queue): latency is the service time.
  const slowed = (faults: readonly FaultSpec[]): ModelSpec => ({
    duration: 3000,
    arrivals: { type: 'constant', ratePerSec: 100 },
    servers: [{ count: 1, workers: 1, service: { type: 'constant', value: 1 } }],
    faults: [{ atMs: 1000, action: 'slow', servers: [0], factor: 5 }, ...faults],
    series: 100,
  });
  const recovered = runModel(slowed([{ atMs: 2000, action: 'recover', servers: [0] }]), 1);
  const stillSlow = runModel(slowed([]), 1);
  for (const r of [recovered, stillSlow]) {
    assert.deepEqual(new Set(window(r.series!, 'meanMs', 0, 1000)), new Set([1]));
    assert.deepEqual(new Set(window(r.series!, 'meanMs', 1100, 2000)), new Set([5]));
  }
  assert.deepEqual(new Set(window(recovered.series!, 'meanMs', 2100, 3000)), new Set([1]));
  assert.deepEqual(new Set(window(stillSlow.series!, 'meanMs', 2100, 3000)), new Set([5]));
});
