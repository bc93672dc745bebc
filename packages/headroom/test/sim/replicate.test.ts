import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_YOUNG_GENERATION_MB, replicate, type ModelSpec } from '../../src/sim/index.js';

// 8 replications of a small p2c + peak-EWMA + hedging fleet, as the replication bench runs them.
const model: ModelSpec = {
  duration: '1s',
  arrivals: { type: 'poisson', ratePerSec: 8000 },
  clients: { picker: 'p2c', load: 'peak-ewma', hedge: { percentile: 95 } },
  servers: [{ count: 20, workers: 4, service: { type: 'lognormal', median: '2ms', sigma: 0.5 } }],
};

test('8 seeds give the same trace hashes in 1 worker thread, in 2, and in this thread', async () => {
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
  const one = await replicate(model, { seeds, threads: 1 });
  const two = await replicate(model, { seeds, threads: 2 });
  const here = await replicate(model, { seeds });
  const hashes = here.runs.map((r) => r.traceHash);
  assert.equal(new Set(hashes).size, 8, `every seed its own trace: ${hashes.join(' ')}`);
  assert.deepEqual(
    one.runs.map((r) => r.traceHash),
    hashes,
  );
  assert.deepEqual(
    two.runs.map((r) => r.traceHash),
    hashes,
  );
  assert.deepEqual(two.runs, here.runs);
});

test("a worker's young generation changes no result (and a bad size is named)", async () => {
  const seeds = [3, 4];
  const here = await replicate(model, { seeds });
  for (const youngGenerationMb of [0, 48, DEFAULT_YOUNG_GENERATION_MB]) {
    const inWorker = await replicate(model, { seeds, threads: 1, youngGenerationMb });
    assert.deepEqual(inWorker.runs, here.runs, `young generation ${youngGenerationMb} MB`);
  }
  await assert.rejects(replicate(model, { seeds, threads: 1, youngGenerationMb: -1 }), { code: 'HR_SIM_INVALID_OPTION' });
  await assert.rejects(replicate(model, { seeds, threads: 1, youngGenerationMb: 1.5 }), /replicate\.youngGenerationMb/);
});
