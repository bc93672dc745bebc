/**
 * A crash empties the cache in front of its server (front.ts): the server restarts cold. 100 keys
 * in a fixed cycle, one call per ms, a cache of 200 keys: once warm every lookup hits; right after
 * a crash and restart the next 100 calls (one full cycle) all miss, and the cycle after hits again.
 * Exact figures: constant arrivals and service times, the windows chosen by the warm-up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runModel, type FaultSpec, type ModelSpec } from '../../src/sim/index.js';

const cycle = Array.from({ length: 100 }, (_, i) => `item:${i}`);

/** Calls arriving in (fromMs, fromMs + 100 ms] are measured: 100 calls, each key once. */
function model(policy: 'tinylfu' | 'lru', faults: readonly FaultSpec[], fromMs: number): ModelSpec {
  return {
    duration: fromMs + 100,
    warmup: fromMs,
    arrivals: { type: 'constant', ratePerSec: 1000 },
    keys: { type: 'trace', keys: cycle },
    servers: [{ count: 1, workers: 1, service: { type: 'constant', value: 0.1 }, cache: { capacity: 200, policy } }],
    faults,
  };
}

const crash: readonly FaultSpec[] = [
  { atMs: 5000.25, action: 'crash', servers: [0] },
  { atMs: 5000.5, action: 'restart', servers: [0] },
];

for (const policy of ['tinylfu', 'lru'] as const) {
  test(`${policy}: the hit ratio is 1 when warm, 0 for the cycle right after a crash, 1 again the cycle after`, () => {
    const warm = runModel(model(policy, [], 5000.6), 1);
    const justAfter = runModel(model(policy, crash, 5000.6), 1);
    const cycleAfter = runModel(model(policy, crash, 5100.6), 1);
    for (const r of [warm, justAfter, cycleAfter]) {
      assert.equal(r.calls, 100);
      assert.equal(r.cache!.hits + r.cache!.misses, 100);
      assert.equal(r.failed, 0);
    }
    assert.equal(warm.cache!.hitRatio, 1);
    assert.equal(justAfter.cache!.hitRatio, 0, `${justAfter.cache!.hits} hits right after the crash: the cache was not emptied`);
    assert.equal(cycleAfter.cache!.hitRatio, 1);
  });
}
