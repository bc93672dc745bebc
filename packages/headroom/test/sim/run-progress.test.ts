/**
 * Progress inside a run (`runModel`'s `onProgress`, `replicateModels`' `onRunProgress`): reports
 * come about every PROGRESS_EVENTS events with the virtual time reached, in a worker thread too,
 * and change nothing — the same results and trace hash as a run without them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROGRESS_EVENTS, replicateModels, runModel, type ModelSpec, type RunProgress } from '../../src/sim/index.js';

const spec: ModelSpec = {
  duration: '60s',
  arrivals: { type: 'poisson', ratePerSec: 4000 },
  clients: { count: 3, hedge: { percentile: 95 }, timeout: '200ms' },
  servers: [
    {
      count: 8,
      workers: 2,
      service: { type: 'lognormal', median: '1ms', sigma: 0.8 },
      pauses: { interval: { type: 'exponential', mean: '2s' }, duration: { type: 'constant', value: '20ms' } },
    },
  ],
  network: { delay: { type: 'uniform', min: '0.1ms', max: '0.3ms' }, loss: 0.001 },
};

test('onProgress reports the virtual time about every PROGRESS_EVENTS events and changes nothing in the run', () => {
  const plain = runModel(spec, 11);
  const seen: RunProgress[] = [];
  const reported = runModel(spec, 11, { onProgress: (p) => seen.push(p) });
  assert.deepEqual(reported, plain);
  assert.equal(reported.traceHash, plain.traceHash);
  // ≈ events / PROGRESS_EVENTS reports (the first chunks are sized before the rate is known).
  const expected = plain.events / PROGRESS_EVENTS;
  assert.ok(seen.length >= expected * 0.5 && seen.length <= expected * 2 + 12, `${seen.length} reports for ${plain.events} events`);
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i]!.simulatedMs >= seen[i - 1]!.simulatedMs && seen[i]!.events >= seen[i - 1]!.events, `report ${i} goes back`);
  }
  assert.ok(seen.every((p) => p.durationMs === 60_000));
  // One report as the arrivals stop, at 100%.
  assert.ok(seen.some((p) => p.simulatedMs === 60_000));
  assert.ok(seen.at(-1)!.events <= plain.events);
});

test('replicateModels relays each run’s progress, from a worker thread as from this one, with the same results', async () => {
  const short: ModelSpec = { ...spec, duration: '20s' };
  for (const threads of [0, 1]) {
    const seen: { model: number; seed: number; p: RunProgress }[] = [];
    const [withProgress] = await replicateModels([short], {
      seeds: [5, 6],
      threads,
      onRunProgress: (model, seed, p) => seen.push({ model, seed, p }),
    });
    const [without] = await replicateModels([short], { seeds: [5, 6], threads });
    assert.deepEqual(withProgress!.runs, without!.runs, `threads ${threads}`);
    for (const seed of [5, 6]) {
      const mine = seen.filter((s) => s.seed === seed);
      assert.ok(mine.length >= 2, `threads ${threads}, seed ${seed}: ${mine.length} reports`);
      assert.ok(mine.every((s) => s.model === 0));
      assert.ok(
        mine.some((s) => s.p.simulatedMs === 20_000),
        `threads ${threads}, seed ${seed}: no report at the end of the arrivals`,
      );
    }
  }
});
