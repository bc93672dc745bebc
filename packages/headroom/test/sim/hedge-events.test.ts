// The `onHedge` hook: the model's real HedgeCore emits the events a HedgePolicy emits to its
// listeners — each backup with when it went out and the delay its call used, each refusal, each win —
// at the engine's time, without changing the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HedgeEvent } from '../../src/latency/index.js';
import { runModel, type ModelSpec } from '../../src/sim/index.js';

const base: ModelSpec = {
  duration: '20s',
  warmup: '2s',
  arrivals: { type: 'poisson', ratePerSec: 500 },
  clients: { picker: 'round-robin', hedge: { percentile: 95, budget: { ratio: 0.05 } } },
  servers: [{ count: 4, workers: 4, service: { type: 'lognormal', median: '4ms', sigma: 0.8 } }],
};

function collect(spec: ModelSpec, seed: number) {
  const events: { atMs: number; event: HedgeEvent }[] = [];
  const result = runModel(spec, seed, { onHedge: (atMs, client, event) => (assert.equal(client, 0), events.push({ atMs, event })) });
  const measured = events.filter((e) => e.atMs >= 2000);
  const of = <T extends HedgeEvent['type']>(type: T) =>
    measured.map((e) => e.event).filter((e): e is Extract<HedgeEvent, { type: T }> => e.type === type);
  return { result, hedges: of('hedge'), refused: of('refused'), wins: of('win') };
}

test("each backup the model's HedgeCore sends is an event with its send time and its call's delay; the counts are the result's", () => {
  const { result, hedges, refused, wins } = collect(base, 3);
  assert.ok(hedges.length > 100, `${hedges.length} backups`);
  assert.equal(hedges.length, result.hedges, 'one event per backup counted after the warm-up');
  assert.equal(refused.length, result.hedgesRefused);
  const firstAsks = hedges.filter((e) => e.afterMs < 2 * e.delayMs);
  assert.ok(firstAsks.length > 0.9 * hedges.length, `${firstAsks.length} of ${hedges.length} on their first ask`);
  for (const e of firstAsks)
    assert.ok(
      Math.abs(e.afterMs - e.delayMs) < 1e-6,
      `a client that never stalls fires its hedge timer on time: ${e.afterMs} after a ${e.delayMs} ms delay`,
    );
  assert.ok(wins.length > 0.99 * result.calls, `${wins.length} wins of ${result.calls} calls`);
  assert.ok(
    wins.filter((w) => w.attempts > 1).length <= hedges.length + 10,
    'a call won after a backup only if it sent one (a few sent theirs in the warm-up)',
  );
  assert.equal(runModel(base, 3).traceHash, result.traceHash, 'the hook changes nothing in the run');
});

test("a stalled client's hedge timers fire when the stall ends: late by up to the stall", () => {
  const stalled: ModelSpec = {
    ...base,
    clients: {
      ...base.clients,
      stalls: { interval: { type: 'exponential', mean: '50ms' }, duration: { type: 'constant', value: '5ms' } },
    },
  };
  const { hedges } = collect(stalled, 3);
  const firstAsks = hedges.filter((e) => e.afterMs < 2 * e.delayMs);
  const late = firstAsks.filter((e) => e.afterMs > e.delayMs + 1e-6);
  for (const e of firstAsks)
    assert.ok(e.afterMs > e.delayMs - 1e-6 && e.afterMs < e.delayMs + 5 + 1e-6, `${e.afterMs} after a ${e.delayMs} ms delay`);
  // A stall covers 5 of every 55 ms: about a tenth of the timers fall in one.
  assert.ok(late.length > 0.03 * firstAsks.length && late.length < 0.3 * firstAsks.length, `${late.length} of ${firstAsks.length} late`);
});
