import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from 'headroom';
import { fitUsl, planCapacity, uslThroughput } from 'headroom/scale';
import { CISCO, RAYTRACER, measurements } from './datasets.js';

test('plan: the smallest whole N that reaches the target (X(n) ≥ target > X(n − 1)), with a margin N from the prediction band', () => {
  const fit = fitUsl(measurements(CISCO));
  for (const target of [500, 955, 5000, 9000, 12000]) {
    const plan = planCapacity(fit, target);
    assert.ok(plan.reachable, `target ${target}`);
    assert.ok(plan.throughputAtN >= target - 1e-9);
    if (plan.n > 1) assert.ok(uslThroughput(fit.coefficients, plan.n - 1) < target);
    assert.ok(plan.exactN <= plan.n && plan.exactN > plan.n - 1);
    if (plan.nWithMargin !== null) assert.ok(plan.nWithMargin >= plan.n);
  }
  const at5000 = planCapacity(fit, 5000);
  assert.ok(at5000.reachable && at5000.n === 6, JSON.stringify(at5000));
});

test('plan: a target past the peak is refused with the peak named; past the Amdahl limit when beta = 0', () => {
  const cisco = fitUsl(measurements(CISCO));
  const past = planCapacity(cisco, 13_000);
  assert.equal(past.reachable, false);
  assert.ok(!past.reachable && past.reason === 'past-peak' && Math.abs(past.peak!.n - 35.57) < 0.01);
  const ray = fitUsl(measurements(RAYTRACER));
  const beyond = planCapacity(ray, 400);
  assert.ok(!beyond.reachable && beyond.reason === 'past-limit' && Math.abs(beyond.limit - 378.2) < 0.1);
  const within = planCapacity(ray, 300);
  assert.ok(within.reachable && within.n === 63, JSON.stringify(within));
  assert.throws(
    () => planCapacity(cisco, -5),
    (e: unknown) => isHeadroomError(e, 'HR_SCALE_INVALID_OPTION'),
  );
});

test('plan from bare coefficients (no points): the same N, no margin', () => {
  const fit = fitUsl(measurements(CISCO));
  const bare = planCapacity({ coefficients: fit.coefficients }, 5000);
  const full = planCapacity(fit, 5000);
  assert.ok(bare.reachable && full.reachable && bare.n === full.n && bare.nWithMargin === null && full.nWithMargin !== null);
});
