/**
 * Markov-modulated Poisson arrivals (arrivals.ts): the long-run rate is the stationary mix of the
 * state rates, Σ rᵢdᵢ / Σ dᵢ (each state holds an exponential time of mean dᵢ, cyclically), and
 * inside a burst state arrivals come at the burst rate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { runModel, type ModelSpec } from '../../src/sim/index.js';
import { assertMeanNear, replicate } from './helpers.js';

const server: ModelSpec['servers'] = [{ count: 1, workers: 'unbounded', service: { type: 'constant', value: 0.01 } }];

test('long-run arrival rate = Σ rᵢdᵢ / Σ dᵢ (100/s for 20 ms, 1,000/s for 5 ms: 280/s)', () => {
  const durationMs = 600_000;
  const warmupMs = 60_000;
  // The states' random lengths dominate the count's variance (per 25 ms cycle: 7 arrivals on
  // average, variance 7 + Σ (rᵢ − λ̄)²dᵢ² ≈ 33), so the states are short: 21,600 cycles measured
  // per run, ~0.56% relative sd. Five replications; the 99% t-interval of their rates must cover
  // 280/s and its 95% half-width be under 1.2% of it.
  const { seeds, runs } = replicate(
    {
      duration: durationMs,
      warmup: warmupMs,
      arrivals: {
        type: 'mmpp',
        states: [
          { ratePerSec: 100, meanDuration: '20ms' },
          { ratePerSec: 1000, meanDuration: '5ms' },
        ],
      },
      servers: server,
    },
    8300,
    5,
  );
  assertMeanNear(
    'MMPP long-run rate',
    runs.map((r) => r.calls / ((durationMs - warmupMs) / 1000)),
    280,
    seeds,
    0.012,
  );
});

test('inside a burst (10,000/s for 100 ms between quiet spells of 5 s) the gaps have mean 1/(r + 1/d)', () => {
  // Quiet state at rate 0: bursts are the runs of arrivals with gaps under 30 ms (a within-burst
  // gap exceeds that with probability e^−300; a quiet spell is shorter with probability 0.6%,
  // which biases the mean gap by < 0.1%). Given an arrival in a burst, the next event is an
  // arrival (rate r) or the burst's end (rate 1/d), so a within-burst gap is Exp(r + 1/d).
  const seed = seedFromEnv(8310);
  const times: number[] = [];
  runModel(
    {
      duration: 1_000_000,
      arrivals: {
        type: 'mmpp',
        states: [
          { ratePerSec: 0, meanDuration: '5s' },
          { ratePerSec: 10_000, meanDuration: '100ms' },
        ],
      },
      servers: server,
    },
    seed,
    { onDispatch: (at) => times.push(at) },
  );
  let sum = 0;
  let n = 0;
  let bursts = times.length > 0 ? 1 : 0;
  for (let i = 1; i < times.length; i++) {
    const gap = times[i]! - times[i - 1]!;
    if (gap < 30) {
      sum += gap;
      n++;
    } else bursts++;
  }
  const expected = 1 / (10 + 1 / 100); // ms
  const se = expected / Math.sqrt(n);
  const mean = sum / n;
  assert.ok(n > 100_000, `${n} within-burst gaps`);
  assert.ok(
    Math.abs(mean - expected) <= 4.5 * se,
    `mean gap ${mean.toFixed(6)} ms vs ${expected.toFixed(6)} ± ${(4.5 * se).toFixed(6)} (HEADROOM_SEED=${seed})`,
  );
  // About one burst per 5.1 s cycle: ~196 in 1,000 s (a renewal count, sd ≈ 14).
  assert.ok(Math.abs(bursts - 1_000_000 / 5100) <= 4.5 * 14, `${bursts} bursts`);
});
