import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { builtinScenario, runModel, variantModels, type ModelSpec, type RunResult } from '../../src/sim/index.js';

// The `retry-storm` and `deadlines` built-ins, run as they ship: 5 servers × 4 workers (capacity
// 2,000 calls/s) at 1,200 calls/s, slowed 2× from 10 to 15 s; about 30,000 measured calls per run,
// 6 series points of 5 s (the last two, 20–30 s, are well after the slowdown ended).
const variant = (scenario: string, name: string): ModelSpec => {
  const v = variantModels(builtinScenario(scenario)).find((x) => x.name === name);
  assert.ok(v !== undefined, `${scenario} has a variant '${name}'`);
  return v.model;
};
const OFFERED = 1200;
/** Successes per second over 20–30 s, after the slowdown (series points 4 and 5). */
const after = (r: RunResult): number => (r.series!.okPerSec[4]! + r.series!.okPerSec[5]!) / 2;

test('retry storm: timed-out attempts retried without a budget keep the fleet down after the trigger ends; the budget bounds the amplification by its ratio and the fleet recovers', () => {
  const seed = seedFromEnv(71);
  const replay = `HEADROOM_SEED=${seed}`;
  const storm = runModel(variant('retry-storm', '3 attempts, no budget'), seed);
  const budget = runModel(variant('retry-storm', '3 attempts, budget 10%'), seed);
  // Without a budget every call ends up making nearly 3 attempts and, 5–15 s after the slowdown
  // ended, almost nothing succeeds: a metastable failure (1.2 k/s × 3 is past the 2 k/s capacity).
  assert.ok(storm.attempts / storm.calls > 2.4, `amplification without a budget ${storm.attempts / storm.calls}. ${replay}`);
  assert.ok(after(storm) < 0.05 * OFFERED, `successes/s 20–30 s without a budget: ${after(storm)}. ${replay}`);
  // The budget's bound is exact: retries ≤ ratio × calls + each client's burst (4 clients × 10),
  // so attempts per call ≤ 1 + 0.1 + 40 / calls — and the fleet serves the offered load again.
  const bound = 1 + 0.1 + 40 / budget.calls;
  assert.ok(
    budget.attempts / budget.calls <= bound,
    `amplification with the budget ${budget.attempts / budget.calls} > ${bound}. ${replay}`,
  );
  assert.ok(budget.retries > 0, `the budget still allows some retries. ${replay}`);
  assert.ok(after(budget) > 0.95 * OFFERED, `successes/s 20–30 s with the budget: ${after(budget)}. ${replay}`);
});

test('deadlines: sent to the servers, the deadline drops expired work instead of serving it for nobody', () => {
  const seed = seedFromEnv(72);
  const replay = `HEADROOM_SEED=${seed}`;
  const blind = runModel(variant('deadlines', 'client only'), seed);
  const sent = runModel(variant('deadlines', 'propagated'), seed);
  const margin = runModel(variant('deadlines', 'propagated, minRemaining 10 ms'), seed);
  // On seed 72 6,738 / 2,484 / 1,515 attempts are served after their caller gave up; the
  // checks leave room for Poisson noise (~100) and fail if propagation stops dropping work.
  assert.ok(blind.servedForNobody > 4000, `served for nobody with the deadline kept by the client: ${blind.servedForNobody}. ${replay}`);
  assert.ok(
    sent.servedForNobody < 0.5 * blind.servedForNobody,
    `propagated ${sent.servedForNobody} vs ${blind.servedForNobody}. ${replay}`,
  );
  assert.ok(
    margin.servedForNobody < sent.servedForNobody,
    `minRemaining 10 ms ${margin.servedForNobody} vs ${sent.servedForNobody}. ${replay}`,
  );
  // The work saved goes to calls that can still make it: fewer fail.
  assert.ok(sent.ok > blind.ok * 1.05, `answered ${sent.ok} propagated vs ${blind.ok}. ${replay}`);
});

test('retry attempt timeouts: a lost request is retried after attemptTimeout, and the option is validated', () => {
  const seed = seedFromEnv(73);
  const model = (retry: object): ModelSpec => ({
    duration: '10s',
    arrivals: { type: 'poisson', ratePerSec: 500 },
    clients: { retry, timeout: '1s' },
    network: { loss: 0.05 },
    servers: [{ count: 4, workers: 2, service: { type: 'exponential', mean: '1ms' } }],
  });
  // 5% loss each way: P(an attempt's round trip fails) = 1 − 0.95² = 9.75%; with 3 attempts a call
  // fails with probability 0.0975³ ≈ 0.1%, without retries (timeout only) 9.75%.
  const retried = runModel(model({ maxAttempts: 3, attemptTimeout: '20ms', budget: false }), seed);
  const once = runModel(model({ maxAttempts: 1, attemptTimeout: '20ms' }), seed);
  const failRetried = retried.failed / retried.calls;
  const failOnce = once.failed / once.calls;
  assert.ok(Math.abs(failOnce - 0.0975) < 0.01, `failed without retries ${failOnce}. HEADROOM_SEED=${seed}`);
  assert.ok(failRetried < 0.004, `failed with 3 attempts ${failRetried}. HEADROOM_SEED=${seed}`);
  assert.ok(
    Math.abs(retried.retries / retried.calls - 0.0975 * (1 + 0.0975)) < 0.01,
    `retries per call ${retried.retries / retried.calls}`,
  );
  assert.throws(() => runModel(model({ attemptTimeout: 0 }), 1), /clients\.retry\.attemptTimeout/);
  assert.throws(() => runModel(model({ attemptTimeout: 'later' }), 1), /clients\.retry\.attemptTimeout/);
});
