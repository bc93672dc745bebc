import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffCeiling, backoffDelay, resolveBackoff, type Backoff } from '../../src/core/backoff.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { SeededRandom, seedFromEnv, type Random } from '../../src/core/random.js';

const DEFAULTS = { initialMs: 100, maxMs: 1_000 };

test('defaults, durations as strings, and the module defaults for multiplier and jitter', () => {
  assert.deepEqual(resolveBackoff(undefined, 'b', DEFAULTS), { initialMs: 100, maxMs: 1_000, multiplier: 2, jitter: 'full' });
  assert.deepEqual(resolveBackoff({ initial: '50ms', max: '2s', multiplier: 3, jitter: 'equal' }, 'b', DEFAULTS), {
    initialMs: 50,
    maxMs: 2_000,
    multiplier: 3,
    jitter: 'equal',
  });
  assert.equal(resolveBackoff({}, 'b', { ...DEFAULTS, jitter: 'none', multiplier: 1.5 }).jitter, 'none');
  // A user initial above the default max raises the default max; a user max below initial is an error.
  assert.equal(resolveBackoff({ initial: '5s' }, 'b', DEFAULTS).maxMs, 5_000);
});

test('ceilings grow by the multiplier and stop at max', () => {
  const b: Backoff = { initialMs: 100, maxMs: 1_000, multiplier: 2, jitter: 'none' };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((n) => backoffCeiling(b, n)),
    [100, 200, 400, 800, 1_000, 1_000],
  );
  assert.equal(backoffCeiling(b, 5_000), 1_000); // the power overflows to Infinity; the cap holds
  assert.equal(backoffCeiling({ ...b, multiplier: 1 }, 7), 100);
  assert.equal(backoffCeiling(b, 0), 100);
});

test("'none' draws nothing; 'full' and 'equal' stay in their ranges and use the injected stream", () => {
  const counting: Random & { draws: number } = {
    draws: 0,
    next() {
      this.draws++;
      return 0.5;
    },
    int: () => 0,
    chance: () => false,
    fork: () => counting,
    seed: 0,
  };
  const b: Backoff = { initialMs: 100, maxMs: 1_000, multiplier: 2, jitter: 'none' };
  assert.equal(backoffDelay(b, 3, counting), 400);
  assert.equal(counting.draws, 0);
  assert.equal(backoffDelay({ ...b, jitter: 'full' }, 3, counting), 200);
  assert.equal(backoffDelay({ ...b, jitter: 'equal' }, 3, counting), 300);
  assert.equal(counting.draws, 2);

  const random = new SeededRandom(seedFromEnv(7));
  for (let n = 1; n <= 8; n++) {
    const ceiling = backoffCeiling(b, n);
    for (let i = 0; i < 200; i++) {
      const full = backoffDelay({ ...b, jitter: 'full' }, n, random);
      assert.ok(full >= 0 && full <= ceiling, `full ${full} outside [0, ${ceiling}]`);
      const equal = backoffDelay({ ...b, jitter: 'equal' }, n, random);
      assert.ok(equal >= ceiling / 2 && equal <= ceiling, `equal ${equal} outside [${ceiling / 2}, ${ceiling}]`);
    }
  }
});

test('the same seed gives the same delays (replays), another seed other delays', () => {
  const b: Backoff = { initialMs: 25, maxMs: 10_000, multiplier: 2, jitter: 'full' };
  const run = (seed: number): number[] => {
    const r = new SeededRandom(seed);
    return [1, 2, 3, 4, 5].map((n) => backoffDelay(b, n, r));
  };
  assert.deepEqual(run(42), run(42));
  assert.notDeepEqual(run(42), run(43));
});

test('full jitter spreads delays uniformly over [0, ceiling] (N = 20,000, mean within 5 σ)', () => {
  const b: Backoff = { initialMs: 1_000, maxMs: 1_000, multiplier: 2, jitter: 'full' };
  const r = new SeededRandom(seedFromEnv(11));
  const n = 20_000;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += backoffDelay(b, 1, r);
  // Uniform on [0, 1000]: mean 500, σ = 1000/√12 ≈ 288.7, σ of the mean = 288.7/√n ≈ 2.04.
  assert.ok(Math.abs(sum / n - 500) < 5 * (1_000 / Math.sqrt(12) / Math.sqrt(n)), `mean ${sum / n}`);
});

test('bad settings throw errors that name the option, the value and the fix', () => {
  const cases: Array<[unknown, string, string]> = [
    [{ initial: -1 }, 'HR_CORE_INVALID_DURATION', 'retry.backoff.initial'],
    [{ initial: '5 parsecs' }, 'HR_CORE_INVALID_DURATION', 'retry.backoff.initial'],
    [{ initial: 0 }, 'HR_CORE_INVALID_OPTION', 'retry.backoff.initial'],
    [{ max: 'soon' }, 'HR_CORE_INVALID_DURATION', 'retry.backoff.max'],
    [{ initial: '2s', max: '1s' }, 'HR_CORE_INVALID_OPTION', 'retry.backoff.max'],
    [{ multiplier: 0.5 }, 'HR_CORE_INVALID_OPTION', 'retry.backoff.multiplier'],
    [{ multiplier: Number.NaN }, 'HR_CORE_INVALID_OPTION', 'retry.backoff.multiplier'],
    [{ jitter: 'decorrelated' }, 'HR_CORE_INVALID_OPTION', 'retry.backoff.jitter'],
    [42, 'HR_CORE_INVALID_OPTION', 'retry.backoff'],
  ];
  for (const [options, code, name] of cases) {
    assert.throws(
      () => resolveBackoff(options as never, 'retry.backoff', DEFAULTS),
      (e: unknown) => isHeadroomError(e, code) && (e as Error).message.includes(name) && /use /.test((e as Error).message),
      `${JSON.stringify(options)} should throw ${code} naming ${name}`,
    );
  }
});
