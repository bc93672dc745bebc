import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { runModel, type FaultSpec, type ModelSpec, type PartitionerSpec } from '../../src/sim/index.js';

// Reproduction 5 (Mirrokni, Thorup & Zadimoghaddam, "Consistent Hashing with Bounded Loads"):
// with m requests in flight over n servers and load factor c, no server holds more than ⌈c·m/n⌉.
// 20 servers of 4 workers, exponential 5 ms service, 8,000 calls/s (50% busy), keys from a Zipf
// of exponent 0.99 over 1,000 keys — the hottest key alone is ~13% of the calls, twice what a
// server may hold at c = 1.25 — routed by the real BoundedLoadRing over the client's in-flight
// counts. Churn: servers crash (leave the ring) and restart (rejoin) during the run. The bound is
// checked at every dispatch, the instant the ring places a request: m counts the requests in
// flight to the servers in the ring, this one included. (Between dispatches a departure lowers m
// and so the cap, and a request in flight cannot move, so the bound is a placement guarantee.)
const SERVERS = 20;
const C = 1.25;
const FAULTS: FaultSpec[] = [
  { atMs: 6000, action: 'crash', servers: [2, 7] },
  { atMs: 12_000, action: 'restart', servers: [2] },
  { atMs: 15_000, action: 'crash', servers: [11, 12, 13] },
  { atMs: 20_000, action: 'restart', servers: [7, 11] },
  { atMs: 24_000, action: 'restart', servers: [12, 13] },
];

const model = (partitioner: PartitionerSpec): ModelSpec => ({
  duration: '30s',
  warmup: '1s',
  arrivals: { type: 'poisson', ratePerSec: 8000 },
  keys: { type: 'zipf', count: 1000, exponent: 0.99 },
  partitioner,
  servers: [{ count: SERVERS, workers: 4, service: { type: 'exponential', mean: '5ms' } }],
  faults: FAULTS,
});

/** Servers in the ring at `atMs` (faults at an instant apply before the dispatches after it). */
function members(atMs: number): boolean[] {
  const up = new Array<boolean>(SERVERS).fill(true);
  for (const f of FAULTS) if (f.atMs <= atMs) for (const s of f.servers) up[s] = f.action === 'restart';
  return up;
}

interface Watch {
  dispatches: number;
  violations: number;
  worst: number;
  toDown: number;
  /** The run's own count (RunResult.partition), which `headroom sim bounded-load` prints. */
  partition: { placements: number; aboveCap: number } | undefined;
}

function watch(partitioner: PartitionerSpec, seed: number): Watch {
  const w: Watch = { dispatches: 0, violations: 0, worst: 0, toDown: 0, partition: undefined };
  w.partition = runModel(model(partitioner), seed, {
    onDispatch: (atMs, _client, server, inflight) => {
      const up = members(atMs);
      let m = 0;
      let n = 0;
      for (let i = 0; i < SERVERS; i++) {
        if (!up[i]) continue;
        n++;
        m += inflight[i]!;
      }
      const cap = Math.ceil((C * m) / n - 1e-9);
      w.dispatches++;
      if (!up[server]) w.toDown++;
      if (inflight[server]! > cap) w.violations++;
      w.worst = Math.max(w.worst, inflight[server]! / cap);
    },
  }).partition;
  return w;
}

test(`bounded loads: no server above ⌈${C}·m/n⌉ at any dispatch, through churn`, () => {
  const seed = seedFromEnv(21);
  const replay = `HEADROOM_SEED=${seed}`;
  const bounded = watch({ type: 'bounded-load', loadFactor: C }, seed);
  assert.ok(bounded.dispatches > 200_000, `${bounded.dispatches} dispatches`);
  assert.equal(bounded.toDown, 0, `requests placed on a server out of the ring. ${replay}`);
  assert.equal(
    bounded.violations,
    0,
    `${bounded.violations} dispatches above the cap (worst ${bounded.worst.toFixed(2)}× the cap). ${replay}`,
  );
  // The same keys on a plain ketama ring break the bound: the check has the power to fail.
  const plain = watch('ketama', seed);
  assert.equal(plain.toDown, 0);
  assert.ok(plain.violations > plain.dispatches / 100, `ketama: ${plain.violations} of ${plain.dispatches} above the cap. ${replay}`);
  // The run's own count (the built-in's table row) agrees with this one: every dispatch here is a placement.
  for (const w of [bounded, plain]) {
    assert.equal(w.partition?.placements, w.dispatches);
    assert.equal(w.partition?.aboveCap, w.violations);
  }
});
