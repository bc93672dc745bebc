// The fleet reuses finished calls and attempts (CallPool): a reused one must never be acted on by
// what belonged to its previous call — a losing hedge still queued at a server, its answer on the
// network. Every call here takes at least network out + the shortest service + network back, so
// an answer that reached a reused call early would show as a call faster than that floor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runModel, type ModelSpec } from '../../src/sim/index.js';

const NET_MS = 0.5;
const MIN_SERVICE_MS = 1;
const FLOOR_MS = NET_MS + MIN_SERVICE_MS + NET_MS;

// Backups after 1.5 ms with no budget, up to two per call: most calls have losers still queued or
// running when they end, and their answers arrive after the call's objects were reused.
const model: ModelSpec = {
  duration: '2s',
  arrivals: { type: 'poisson', ratePerSec: 4000 },
  network: { delay: { type: 'constant', value: `${NET_MS}ms` } },
  clients: { picker: 'p2c', load: 'peak-ewma', hedge: { delay: '1.5ms', maxExtra: 2, budget: false } },
  servers: [{ count: 20, workers: 1, service: { type: 'uniform', min: `${MIN_SERVICE_MS}ms`, max: '5ms' } }],
  slo: `${FLOOR_MS - 0.001}ms`,
};

test('a reused call or attempt is never answered by its previous call’s late attempts', () => {
  const r = runModel(model, 7);
  assert.ok(r.hedges > r.calls / 2, `hedges ${r.hedges} of ${r.calls} calls: too few losers to test reuse`);
  assert.ok(r.servedForNobody > r.calls / 4, `${r.servedForNobody} attempts served after their call ended: too few late answers`);
  assert.equal(r.ok, r.calls, 'every call answered once');
  assert.equal(r.aboveSlo, 1, `${((1 - r.aboveSlo) * r.ok).toFixed(0)} calls faster than the ${FLOOR_MS} ms floor`);
  assert.ok(r.little.relativeError < 0.01, `Little's law off by ${r.little.relativeError}`);
});
