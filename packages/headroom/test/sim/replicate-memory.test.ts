/**
 * A replication whose worker thread runs out of heap fails with `HR_SIM_OUT_OF_MEMORY` naming the
 * run and why, and the process goes on — not a V8 abort of the whole process after minutes of
 * garbage collection. The model is overloaded on purpose (5× its capacity), so its calls in flight
 * grow without bound; a small heap limit makes that quick. Its calls have a timeout (longer than
 * the run), so the check before the run (`overloadBacklog`, model-size.test.ts), which refuses a
 * steady overload only when nothing in the model ends a call, leaves it to this one. With a 64 MB
 * heap the workers' default young generation is 8 MB (an eighth of it): at the full 192 MB one
 * scavenge could promote past the limit, and V8 then aborted this whole process instead of
 * stopping the worker (2 of 6 runs on 2026-12-07).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from '../../src/index.js';
import { replicate, replicateModels, runScenario, type ModelSpec } from '../../src/sim/index.js';

const overloaded: ModelSpec = {
  duration: '1h',
  arrivals: { type: 'poisson', ratePerSec: 20_000 },
  clients: { timeout: '2h' },
  servers: [{ count: 1, workers: 4, service: { type: 'exponential', mean: 1 } }],
};

test(
  'an overloaded model in a worker with a 64 MB heap fails with HR_SIM_OUT_OF_MEMORY, naming the seed and the calls in flight',
  { timeout: 60_000 },
  async () => {
    let reports = 0;
    const error = await replicateModels([overloaded], { seeds: [7], threads: 1, heapLimitMb: 64, onRunProgress: () => reports++ }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isHeadroomError(error, 'HR_SIM_OUT_OF_MEMORY'), String(error));
    assert.match(
      error.message,
      /^the run of model 0, seed 7, ran out of memory: its worker thread reached its heap limit of 64 MB at [\d.]+% of its duration, [\d,]+ calls in flight\. A model whose offered load stays above its capacity/,
    );
    assert.ok(reports > 0);
    assert.ok((error.details as { inFlight: number }).inFlight > 10_000, 'the calls in flight it held');
  },
);

test(
  'without progress reports it still names the run; a scenario names the variant (the calm one runs); a bad limit is refused',
  { timeout: 60_000 },
  async () => {
    await assert.rejects(replicate(overloaded, { seeds: [3], threads: 1, heapLimitMb: 64 }), {
      code: 'HR_SIM_OUT_OF_MEMORY',
      message: /^the run of model 0, seed 3, ran out of memory: its worker thread reached its heap limit of 64 MB\. /,
    });
    await assert.rejects(replicate(overloaded, { seeds: [3], threads: 1, heapLimitMb: 8 }), {
      code: 'HR_SIM_INVALID_OPTION',
      message: /replicate\.heapLimitMb/,
    });
    const fits: ModelSpec = { ...overloaded, duration: '1s', arrivals: { type: 'poisson', ratePerSec: 1000 } };
    const scenario = { name: 'oom', model: fits, variants: [{ name: 'calm' }, { name: 'swamped', ...overloaded }] };
    const finished: string[] = [];
    await assert.rejects(runScenario(scenario, { threads: 1, heapLimitMb: 64, seed: 5, onProgress: (variant) => finished.push(variant) }), {
      code: 'HR_SIM_OUT_OF_MEMORY',
      message: /^the run of variant swamped, seed 5, ran out of memory/,
    });
  },
);
