import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { runModel, type LimiterSpec, type ModelSpec, type RunSeries } from '../../src/sim/index.js';

// Reproduction 6: the production ConcurrencyLimiter (windowed Gradient2, the module default, and
// windowed Vegas, the lab's) in front of one server of c = 40 workers with a steady service time
// (lognormal, median 10 ms, σ = 0.1: mean 10.05 ms, so capacity μc = 3,980 calls/s). Offered load:
// 0.5× capacity for 10 s, 2× for 20 s, 0.5× for 10 s; one series point per second.
// Per second ~4,000 completions: Poisson noise ≈ 1.6%, so a 10% band is > 6 sd wide.
const WORKERS = 40;
const SIGMA = 0.1;
const CAPACITY = (WORKERS * 1000) / (10 * Math.exp((SIGMA * SIGMA) / 2));

const model = (limiter: LimiterSpec | undefined): ModelSpec => ({
  duration: '40s',
  warmup: '1s',
  series: '1s',
  arrivals: {
    type: 'timeline',
    points: [
      [0, CAPACITY / 2],
      [10_000, CAPACITY * 2],
      [30_000, CAPACITY / 2],
    ],
  },
  servers: [
    {
      count: 1,
      workers: WORKERS,
      service: { type: 'lognormal', median: '10ms', sigma: SIGMA },
      ...(limiter === undefined ? {} : { limiter }),
    },
  ],
});

/** Series values in the seconds [from, to) (point i covers second i). */
const window = (s: RunSeries, column: keyof Omit<RunSeries, 'intervalMs'>, from: number, to: number): number[] =>
  s[column].slice(from, to) as number[];
const mean = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0) / a.length;

for (const [name, limiter] of [
  ['windowed Gradient2 (module default)', { algorithm: 'default' }],
  ['windowed Vegas (the lab)', { algorithm: 'vegas' }],
] as const) {
  test(`adaptive concurrency, ${name}: goodput within 10% of capacity at 2× load, ≥ 90% overall, and recovery when the overload ends`, () => {
    const seed = seedFromEnv(31);
    const replay = `HEADROOM_SEED=${seed}`;
    const s = runModel(model(limiter), seed).series!;
    const limits = `limit per second: ${s.limit.map(Math.round).join(' ')}`;
    // Converged: every second of the overload's second half within 10% of capacity.
    for (const [i, ok] of window(s, 'okPerSec', 20, 30).entries())
      assert.ok(
        Math.abs(ok / CAPACITY - 1) <= 0.1,
        `second ${20 + i}: goodput ${ok} vs capacity ${CAPACITY.toFixed(0)}. ${limits}. ${replay}`,
      );
    // Goodput over the whole overload, its first seconds (the limit finding its level) included.
    const overall = mean(window(s, 'okPerSec', 10, 30)) / CAPACITY;
    assert.ok(overall >= 0.9, `goodput at 2× load: ${(overall * 100).toFixed(1)}% of capacity. ${limits}. ${replay}`);
    // It sheds what it cannot serve instead of queueing it: about half the offered load.
    const shed = mean(window(s, 'shedPerSec', 12, 30)) / (2 * CAPACITY);
    assert.ok(shed > 0.4 && shed < 0.6, `shed share at 2×: ${(shed * 100).toFixed(1)}%. ${replay}`);
    // Queueing stays bounded: p99 under overload within 3× the p99 before it.
    const before = mean(window(s, 'p99Ms', 5, 10));
    const during = Math.max(...window(s, 'p99Ms', 10, 30));
    assert.ok(during <= 3 * before, `p99 ${during} ms under overload vs ${before.toFixed(1)} ms before. ${replay}`);
    // Recovery: from the first full second after the overload, nothing shed and p99 back within 20%.
    for (const [i, p99] of window(s, 'p99Ms', 31, 40).entries())
      assert.ok(p99 <= 1.2 * before, `second ${31 + i} after the overload: p99 ${p99} ms vs ${before.toFixed(1)} before. ${replay}`);
    assert.equal(Math.max(...window(s, 'shedPerSec', 31, 40)), 0, `shed after the overload. ${limits}. ${replay}`);
  });
}

test('adaptive concurrency: without a limiter the same overload queues without bound (the contrast the test needs)', () => {
  const s = runModel(model(undefined), seedFromEnv(31)).series!;
  assert.ok(Math.max(...window(s, 'p99Ms', 25, 30)) > 1000, `p99 ${window(s, 'p99Ms', 25, 30).join(' ')} ms`);
});

test('limiter options are validated with the path of the field', () => {
  const bad = (limiter: unknown): ModelSpec => model(limiter as LimiterSpec);
  assert.throws(() => runModel(bad({ algorithm: 'cubic' }), 1), /servers\.0\.limiter\.algorithm/);
  assert.throws(() => runModel(bad({ algorithm: 'fixed' }), 1), /servers\.0\.limiter\.limit/);
  assert.throws(() => runModel(bad({ algorithm: 'gradient2', options: { minLimit: 0 } }), 1), /servers\.0\.limiter\.options\.minLimit/);
  assert.throws(
    () => runModel(bad({ algorithm: 'vegas', windowed: { minWindow: 'soon' } }), 1),
    /servers\.0\.limiter\.windowed\.minWindow/,
  );
});
