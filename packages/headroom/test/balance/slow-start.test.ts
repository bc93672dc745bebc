import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { Balancer, outstanding, resolveSlowStart, slowStartFactor, weightedRandom, weightedRoundRobin } from '../../src/balance/index.js';
import { binomialCheck } from './fake-candidates.js';

const T0 = 1_000_000;

test("slow-start factor: max(min%, (t/window)^(1/aggression)), 1 after the window (Envoy's formula)", () => {
  const linear = resolveSlowStart({ window: 10_000 });
  assert.deepEqual(
    [0, 500, 2_500, 5_000, 9_999, 10_000, 50_000].map((t) => slowStartFactor(linear, t)),
    [0.1, 0.1, 0.25, 0.5, 0.9999, 1, 1],
  );
  const eager = resolveSlowStart({ window: 10_000, aggression: 2, minWeightPercent: 0 });
  assert.equal(slowStartFactor(eager, 2_500), 0.5);
  assert.equal(slowStartFactor(eager, 0), 0);
  for (const [bad, code] of [
    [{ window: 0 }, 'HR_CORE_INVALID_DURATION'],
    [{ window: '30 parsecs' }, 'HR_CORE_INVALID_DURATION'],
    [{ window: 1, aggression: 0 }, 'HR_BALANCE_INVALID_OPTION'],
    [{ window: 1, minWeightPercent: 101 }, 'HR_BALANCE_INVALID_OPTION'],
  ] as const) {
    assert.throws(
      () => resolveSlowStart(bad),
      (e) => isHeadroomError(e, code) && /slowStart\./.test((e as Error).message),
    );
  }
});

test("slow-start ramp: a joining endpoint's share follows w·f/(w·f + others) (weighted random, N = 20,000 per step)", async () => {
  const clock = new VirtualClock({ startMs: T0 });
  const balancer = new Balancer({
    endpoints: ['old'],
    picker: weightedRandom(),
    load: outstanding(),
    outlier: false,
    slowStart: { window: 10_000 },
    clock,
    random: new SeededRandom(8),
  });
  balancer.add('new');
  const rows: string[] = [];
  for (const [atMs, factor] of [
    [0, 0.1],
    [2_500, 0.25],
    [5_000, 0.5],
    [7_500, 0.75],
    [10_000, 1],
  ] as const) {
    await clock.advanceTo(T0 + atMs);
    const snap = balancer.snapshot().endpoints.find((e) => e.id === 'new')!;
    assert.ok(Math.abs(snap.effectiveWeight - factor) < 1e-12, `t=${atMs}: effective weight ${snap.effectiveWeight}`);
    let picks = 0;
    for (let k = 0; k < 20_000; k++) if (balancer.pick()!.id === 'new') picks++;
    const { ok, table } = binomialCheck([picks, 20_000 - picks], [factor, 1]);
    rows.push(`t=${atMs} ms: ${table.split('\n')[1]}`);
    assert.ok(ok, rows.join('\n'));
  }
  balancer.close();
});

test('slow start restarts when an endpoint is readmitted after ejection, and when it becomes healthy again', async () => {
  const clock = new VirtualClock({ startMs: T0 });
  let bHealthy = true;
  const balancer = new Balancer({
    endpoints: ['a', 'b'],
    picker: weightedRoundRobin(),
    load: outstanding(),
    clock,
    random: new SeededRandom(1),
    slowStart: { window: 1_000, minWeightPercent: 20 },
    outlier: { consecutiveErrors: 1, successRate: false, ejectionBackoff: { initial: 500 }, maxEjectionPercent: 50 },
    health: { probe: () => bHealthy, interval: 100, jitterPercent: 0, unhealthyThreshold: 1, healthyThreshold: 1 },
  });
  const weightOf = (id: string): number => balancer.snapshot().endpoints.find((e) => e.id === id)!.effectiveWeight;
  assert.equal(weightOf('a'), 1, 'initial endpoints do not ramp');
  const a = balancer.endpoints()[0]!;
  balancer.end(a, balancer.begin(a), 'failure');
  await clock.advanceBy(500);
  assert.equal(a.ejected, false);
  assert.ok(Math.abs(weightOf('a') - 0.2) < 1e-12);
  await clock.advanceBy(1_000);
  assert.equal(weightOf('a'), 1);
  bHealthy = false;
  await clock.advanceBy(100);
  assert.equal(balancer.endpoints()[1]!.healthy, false);
  bHealthy = true;
  await clock.advanceBy(100);
  assert.ok(Math.abs(weightOf('b') - 0.2) < 1e-12, `b ramps from 20 % after recovering: ${weightOf('b')}`);
  await clock.advanceBy(500);
  assert.ok(Math.abs(weightOf('b') - 0.5) < 1e-12);
  balancer.close();
});
