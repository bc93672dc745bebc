import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from '../../src/core/errors.js';
import { MAX_SEED, replicate, runModel, runScenario, validateScenario, type ModelSpec } from '../../src/sim/index.js';

// A model touching every moving part: MMPP arrivals, 3 clients with p2c + peak-EWMA and hedging,
// lognormal service with pauses, network delay and loss with a timeout, a crash and a slow-down.
// The timeout is 100 ms: the real hedge core re-asks a refused hedge, so a lost attempt is
// usually rescued by its backup within a few hundred ms, and a longer timeout would never fire.
const model: ModelSpec = {
  duration: '3s',
  warmup: '300ms',
  slo: '20ms',
  arrivals: {
    type: 'mmpp',
    states: [
      { ratePerSec: 2000, meanDuration: '500ms' },
      { ratePerSec: 6000, meanDuration: '100ms' },
    ],
  },
  clients: { count: 3, picker: 'p2c', load: { type: 'peak-ewma', decay: '1s' }, hedge: { percentile: 95 }, timeout: '100ms' },
  servers: [
    {
      count: 8,
      workers: 2,
      service: { type: 'lognormal', median: '2ms', sigma: 0.6 },
      pauses: { interval: { type: 'exponential', mean: '400ms' }, duration: { type: 'constant', value: '15ms' } },
    },
  ],
  network: { delay: { type: 'uniform', min: '0.1ms', max: '0.5ms' }, loss: 0.001 },
  faults: [
    { atMs: 1000, action: 'crash', servers: [0] },
    { atMs: 2000, action: 'restart', servers: [0] },
    { atMs: 1500, action: 'slow', servers: [1], factor: 5 },
  ],
};

test('same model and seed: identical results and trace hash; another seed: a different hash', () => {
  const a = runModel(model, 5);
  const b = runModel(model, 5);
  assert.deepEqual(a, b);
  assert.notEqual(runModel(model, 6).traceHash, a.traceHash);
  assert.ok(
    a.hedges > 0 && a.lost > 0 && a.timedOut > 0 && a.failed > 0,
    JSON.stringify({ ...a, served: undefined, queueTail: undefined }),
  );
});

test('replications in 2 worker threads give the same runs as in this thread, with 95% intervals', async () => {
  const seeds = [1, 2, 3, 4];
  const progress: number[] = [];
  const local = await replicate(model, { seeds });
  const threaded = await replicate(model, { seeds, threads: 2, onProgress: (done) => progress.push(done) });
  assert.deepEqual(
    threaded.runs.map((r) => r.traceHash),
    local.runs.map((r) => r.traceHash),
  );
  assert.deepEqual(threaded.runs, local.runs);
  assert.deepEqual(progress, [1, 2, 3, 4]);
  const ci = threaded.summary.p99Ms;
  assert.equal(ci.n, 4);
  assert.ok(ci.halfWidth > 0 && ci.mean > 0);
});

test('a bad model fails in a worker thread with the same typed error as in this thread', async () => {
  const bad = { ...model, servers: [{ ...model.servers[0]!, workers: 0 }] };
  assert.throws(
    () => runModel(bad, 1),
    (e: unknown) => isHeadroomError(e, 'HR_SIM_INVALID_OPTION') && /servers\.0\.workers/.test((e as Error).message),
  );
  await assert.rejects(
    replicate(bad, { seeds: [1, 2], threads: 2 }),
    (e: Error & { code?: string }) => e.code === 'HR_SIM_INVALID_OPTION' && /servers\.0\.workers/.test(e.message),
  );
});

test('a seed beyond 32 bits is refused, not folded onto another seed’s run', async () => {
  const small: ModelSpec = {
    duration: '200ms',
    arrivals: { type: 'poisson', ratePerSec: 500 },
    servers: [{ count: 2, workers: 1, service: { type: 'exponential', mean: '1ms' } }],
  };
  // The streams take 32 bits of seed: 2^32 + 1 used to run seed 1's run again, without a word.
  assert.notEqual(runModel(small, MAX_SEED).traceHash, runModel(small, 1).traceHash);
  for (const seed of [2 ** 32 + 1, -1, 2 ** 53]) {
    assert.throws(
      () => runModel(small, seed),
      (e: unknown) => isHeadroomError(e, 'HR_SIM_INVALID_OPTION') && /seed.*from 0 to 4294967295/.test((e as Error).message),
      String(seed),
    );
  }
  assert.throws(() => runModel(small, 2 ** 32 + 1), /would repeat the run of seed 1/);
  await assert.rejects(replicate(small, { seeds: [1, 2 ** 32], threads: 0 }), /replicate\.seeds.*4294967295/);
  const scenario = { name: 'small', model: small };
  // Replications take seeds seed … seed + n − 1: the last one must fit as well.
  await assert.rejects(runScenario(scenario, { seed: MAX_SEED, replications: 2, threads: 0 }), /start at 4294967294 or below/);
  assert.equal((await runScenario(scenario, { seed: MAX_SEED - 1, replications: 2, threads: 0 }))[0]!.replications.runs.length, 2);
  assert.throws(
    () => validateScenario({ ...scenario, seed: 2 ** 32 }),
    (e: unknown) =>
      isHeadroomError(e, 'HR_SIM_INVALID_SCENARIO') && /seed: got 4294967296; .*repeat the run of seed 0/.test((e as Error).message),
  );
});
