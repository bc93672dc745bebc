/**
 * A model too large for the machine is refused at once with the memory it needs, not after
 * minutes of allocation; one that fits runs as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runModel, type ModelSpec } from '../../src/sim/index.js';
import {
  checkModelSize,
  HEAP_CALL_BYTES,
  HEAP_SERVER_BYTES,
  memoryLimits,
  overloadBacklog,
  SERVER_BYTES,
} from '../../src/sim/model-size.js';

const model = (count: number, extra: Partial<ModelSpec> = {}): ModelSpec => ({
  duration: '1s',
  arrivals: { type: 'poisson', ratePerSec: 100 },
  servers: [{ count, workers: 1, service: { type: 'exponential', mean: '1ms' } }],
  ...extra,
});

test('a billion servers is refused at once, naming the memory it needs and the machine’s', () => {
  const t0 = performance.now();
  assert.throws(() => runModel(model(1e9), 1), {
    code: 'HR_SIM_INVALID_OPTION',
    message:
      /servers: got "1000000000 servers and 1 client\(s\)"; a model this large needs at least \d+ GB .*more than this machine's \d+(\.\d+)? GB; simulate fewer servers or clients/,
  });
  assert.ok(performance.now() - t0 < 1000, 'it built the fleet before refusing it');
});

test('the estimate counts servers, and each client per server (more with per-link networks)', () => {
  const limits = { memoryBytes: 1000 * SERVER_BYTES, heapBytes: Infinity }; // room for 1,000 servers with one client
  assert.doesNotThrow(() => checkModelSize(model(900), limits));
  assert.throws(() => checkModelSize(model(1100), limits), { code: 'HR_SIM_INVALID_OPTION' });
  // 900 servers: fine with 1 client, not with 10 (10 × 900 × 40 B on top)
  assert.throws(() => checkModelSize(model(900, { clients: { count: 10 } }), limits), /900 servers and 10 client\(s\)/);
  const links = { links: [{ servers: [0], delay: { type: 'constant' as const, value: '1ms' } }] };
  assert.doesNotThrow(() => checkModelSize(model(500, { clients: { count: 8 } }), limits));
  assert.throws(() => checkModelSize(model(500, { clients: { count: 8 }, network: links }), limits));
  // counts the other checks name are left to them
  assert.doesNotThrow(() => checkModelSize(model(-1), limits));
});

test('a model within the machine’s memory but above the thread’s heap limit is refused, saying how to raise it', () => {
  const limits = { memoryBytes: Infinity, heapBytes: 1000 * HEAP_SERVER_BYTES };
  assert.doesNotThrow(() => checkModelSize(model(900), limits));
  assert.throws(() => checkModelSize(model(1100), limits), {
    code: 'HR_SIM_INVALID_OPTION',
    message: /of JavaScript heap .*more than this thread's limit of .* GB; .*NODE_OPTIONS=--max-old-space-size=\d+/,
  });
  // the real limits: 30 million servers fit 24 GB of memory at 400 B each, not a 4 GB heap at 350 B
  const real = memoryLimits();
  if (real.memoryBytes >= 30e6 * SERVER_BYTES && real.heapBytes < 30e6 * HEAP_SERVER_BYTES) {
    const t0 = performance.now();
    assert.throws(() => runModel(model(30e6), 1), /of JavaScript heap/);
    assert.ok(performance.now() - t0 < 1000, 'it built the fleet before refusing it');
  }
});

test('a fleet the issue names (10,000 servers) fits here and runs', () => {
  assert.doesNotThrow(() => checkModelSize(model(10_000), memoryLimits()));
  assert.ok(runModel(model(10_000), 1).calls > 0);
});

test('an overloaded model that would pile up more calls than the heap holds is refused at once, naming its capacity', () => {
  // 2 servers × 1 worker ÷ 1 ms = 2,000 calls/s, offered 4,000/s: 2,000 more a second wait
  const over = (extra: Partial<ModelSpec> = {}): ModelSpec => ({
    ...model(2),
    arrivals: { type: 'poisson', ratePerSec: 4000 },
    duration: '1h',
    ...extra,
  });
  assert.deepEqual(overloadBacklog(over()), {
    path: 'arrivals.ratePerSec',
    ratePerSec: 4000,
    capacityPerSec: 2000,
    calls: 7_200_000,
    atMs: 3_600_000,
  });
  const limits = { memoryBytes: Infinity, heapBytes: 2 ** 30 }; // 1 GB: room for ≈ 3.5 million calls
  assert.throws(() => checkModelSize(over(), limits), {
    code: 'HR_SIM_INVALID_OPTION',
    message:
      /arrivals\.ratePerSec: got 4000; the servers serve at most 2,000 calls\/s .* at least 7,200,000 calls would still be in flight when the arrivals end, needing at least 2\.01 GB of JavaScript heap \(≥ 300 B a call\), more than this thread's limit of 1 GB; lower the rate/,
  });
  // a shorter run, more servers, or workers fit; so does anything that ends or sheds calls
  assert.doesNotThrow(() => checkModelSize(over({ duration: '10m' }), limits));
  assert.doesNotThrow(() =>
    checkModelSize(over({ servers: [{ count: 2, workers: 2, service: { type: 'exponential', mean: '1ms' } }] }), limits),
  );
  assert.equal(overloadBacklog(over({ arrivals: { type: 'poisson', ratePerSec: 1999 } })), undefined);
  for (const sheds of [
    { clients: { timeout: '1s' } },
    { clients: { deadline: { timeout: '1s' } } },
    { servers: [{ count: 2, service: { type: 'exponential', mean: '1ms' }, limiter: { algorithm: 'fixed', limit: 4 } }] },
    { faults: [{ atMs: 1000, action: 'crash', servers: [0] }] },
    { fanOut: { leaves: 2 } },
    { servers: [{ count: 2, workers: 'unbounded', service: { type: 'exponential', mean: '1ms' } }] },
  ] as Partial<ModelSpec>[])
    assert.equal(overloadBacklog(over(sheds)), undefined, JSON.stringify(sheds));
  // the capacity is summed over groups, each at its mean service time (lognormal: median · e^(σ²/2))
  const mixed = over({
    servers: [
      { count: 1, workers: 2, service: { type: 'constant', value: '2ms' } },
      { count: 1, service: { type: 'lognormal', median: '1ms', sigma: 0 } },
    ],
  });
  assert.deepEqual(overloadBacklog(mixed), {
    path: 'arrivals.ratePerSec',
    ratePerSec: 4000,
    capacityPerSec: 2000,
    calls: 7_200_000,
    atMs: 3_600_000,
  });
  // a timeline: the fluid queue's highest backlog — 2,000/s too many for 20 min, then 1,000/s too few
  // for 10 min (draining 600,000), then too many again for 30 min: 2.4 M, 1.8 M, then 5.4 M at 60 min
  const timeline = over({
    arrivals: {
      type: 'timeline',
      points: [
        [0, 4000],
        [1_200_000, 1000],
        [1_800_000, 4000],
      ],
    },
  });
  assert.deepEqual(overloadBacklog(timeline), {
    path: 'arrivals.points',
    ratePerSec: 4000,
    capacityPerSec: 2000,
    calls: 5_400_000,
    atMs: 3_600_000,
  });
  assert.throws(() => checkModelSize(timeline, limits), {
    message:
      /arrivals\.points: got "4,000 calls\/s"; .* at least 5,400,000 calls would still be in flight 3,600 s into the run \(its rate up to then reaching 4,000 calls\/s\)/,
  });
  // a burst above capacity that drains: its peak, mid-run (10 min at 2,000/s too many)
  const burst = over({
    arrivals: {
      type: 'timeline',
      points: [
        [0, 1000],
        [600_000, 4000],
        [1_200_000, 0],
      ],
    },
  });
  assert.equal(overloadBacklog(burst)!.calls, 1_200_000);
  assert.equal(overloadBacklog(burst)!.atMs, 1_200_000);
  // below capacity throughout: nothing
  assert.equal(
    overloadBacklog(
      over({
        arrivals: {
          type: 'timeline',
          points: [
            [0, 1000],
            [60_000, 1900],
          ],
        },
      }),
    ),
    undefined,
  );
  // an MMPP counts its lowest state only: every state above capacity piles up at least that much…
  const mmpp = (low: number) =>
    over({
      arrivals: {
        type: 'mmpp',
        states: [
          { ratePerSec: 8000, meanDuration: '1s' },
          { ratePerSec: low, meanDuration: '1h' },
        ],
      },
    });
  assert.equal(overloadBacklog(mmpp(3000))!.calls, 3_600_000);
  assert.throws(
    () => checkModelSize(mmpp(3000), { memoryBytes: Infinity, heapBytes: 2 ** 29 }),
    /arrivals\.states: .* \(even at its lowest state's 3,000 calls\/s\)/,
  );
  // …and a quiet state below it may hold the chain for the whole run, so no floor can be given
  assert.equal(overloadBacklog(mmpp(1000)), undefined);
  // with this thread's real limit, runModel refuses a 3 h run at once instead of filling the heap for minutes
  if (memoryLimits().heapBytes < 21.6e6 * HEAP_CALL_BYTES) {
    const t0 = performance.now();
    assert.throws(() => runModel(over({ duration: '3h' }), 1), /at least 21,600,000 calls would still be in flight/);
    assert.ok(performance.now() - t0 < 1000, 'it ran the model before refusing it');
  }
});
