import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_YOUNG_GENERATION_MB, replicate, replicateModels, type ModelSpec } from '../../src/sim/index.js';

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

test('several models in one set of workers give what each gives on its own, and progress per model', async () => {
  const seeds = [5, 6, 7];
  const other: ModelSpec = { ...model, clients: { picker: 'round-robin' } };
  const progress: string[] = [];
  const [a, b] = await replicateModels([model, other], {
    seeds,
    threads: 2,
    onProgress: (m, done, total) => progress.push(`${m}:${done}/${total}`),
  });
  assert.deepEqual(a!.runs, (await replicate(model, { seeds })).runs);
  assert.deepEqual(b!.runs, (await replicate(other, { seeds })).runs);
  assert.notDeepEqual(
    a!.runs.map((r) => r.traceHash),
    b!.runs.map((r) => r.traceHash),
  );
  assert.deepEqual(progress.filter((p) => p.endsWith('/3')).sort(), ['0:1/3', '0:2/3', '0:3/3', '1:1/3', '1:2/3', '1:3/3']);
});
