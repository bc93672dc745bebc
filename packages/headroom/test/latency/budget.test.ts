import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { isHeadroomError, LoadShedError } from '../../src/core/errors.js';
import { Deadline, RetryPolicy, TokenBudget } from '../../src/latency/index.js';

test('TokenBudget: extras never exceed ratio × requests + minPerSec × seconds + initial tokens (property)', async () => {
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 50, noNaN: true }),
      fc.integer({ min: 1, max: 50 }),
      fc.array(fc.tuple(fc.constantFrom('request', 'extra', 'wait'), fc.integer({ min: 0, max: 500 })), { maxLength: 400 }),
      (ratio, minPerSec, maxTokens, ops) => {
        let now = 1000;
        const initialTokens = maxTokens / 2;
        const budget = new TokenBudget({
          clock: { now: () => now, wallNow: () => now, setTimer: () => ({ cancel() {} }) },
          ratio,
          minPerSec,
          maxTokens,
          initialTokens,
        });
        let requests = 0;
        let extras = 0;
        const start = now;
        for (const [op, n] of ops) {
          if (op === 'request') {
            budget.deposit();
            requests++;
          } else if (op === 'extra') {
            if (budget.tryWithdraw()) extras++;
          } else now += n;
        }
        const bound = ratio * requests + (minPerSec * (now - start)) / 1000 + initialTokens;
        assert.ok(extras <= bound + 1e-6 * (requests + 1), `extras ${extras} > bound ${bound}`);
        const s = budget.stats();
        assert.equal(s.withdrawn, extras);
        assert.equal(s.requests, requests);
      },
    ),
    { seed: 3, numRuns: 500 },
  );
});

test('TokenBudget: 20 requests at 5% earn exactly one extra; the balance is capped', () => {
  const clock = new VirtualClock();
  const budget = new TokenBudget({ clock, ratio: 0.05, minPerSec: 0, maxTokens: 2, initialTokens: 0 });
  for (let i = 0; i < 19; i++) budget.deposit();
  assert.equal(budget.tryWithdraw(), false);
  budget.deposit();
  assert.equal(budget.tryWithdraw(), true);
  for (let i = 0; i < 1000; i++) budget.deposit();
  assert.equal(budget.stats().tokens, 2);
  assert.throws(
    () => new TokenBudget({ ratio: 2 }),
    (e) => isHeadroomError(e, 'HR_LATENCY_INVALID_OPTION'),
  );
});

test('RetryPolicy never retries beyond its budget while the backend is down', async () => {
  // N = 2,000 calls to a backend that always fails, 3 attempts allowed each, budget 10% + 0/s.
  const clock = new VirtualClock();
  const budget = new TokenBudget({ clock, ratio: 0.1, minPerSec: 0, maxTokens: 5, initialTokens: 5 });
  const retry = new RetryPolicy({ clock, random: new SeededRandom(1), maxAttempts: 3, budget, backoff: { initial: 1, max: 4 } });
  let attempts = 0;
  const N = 2000;
  const calls: Array<Promise<unknown>> = [];
  for (let i = 0; i < N; i++) {
    calls.push(
      retry
        .execute(async () => {
          attempts++;
          throw new Error('down');
        })
        .catch(() => undefined),
    );
    await clock.advanceBy(1);
  }
  await clock.runUntilIdle();
  await Promise.all(calls);
  const retries = attempts - N;
  assert.ok(retries <= 0.1 * N + 5, `retries ${retries} exceed 10% of ${N} + 5`);
  assert.ok(retries >= 0.1 * N - 1, `the budget was not used: ${retries}`);
});

test('RetryPolicy respects the deadline: no retry whose backoff + minAttemptMs does not fit', async () => {
  const clock = new VirtualClock();
  const retry = new RetryPolicy({
    clock,
    random: new SeededRandom(2),
    maxAttempts: 5,
    budget: false,
    backoff: { initial: 40, jitter: 'none' },
    minAttempt: 10,
  });
  const events: string[] = [];
  retry.on((e) => events.push(e.type === 'give-up' ? `give-up:${e.reason}` : `retry:${e.backoffMs}`));
  let attempts = 0;
  const deadline = Deadline.after(100, { clock });
  const call = retry.execute(
    async () => {
      attempts++;
      throw new Error('x');
    },
    { deadline },
  );
  const settled = call.catch((e: unknown) => e);
  await clock.runUntilIdle();
  assert.equal(((await settled) as Error).message, 'x');
  // t=0 fail → 40 ms backoff (fits: 100 ≥ 50) → t=40 fail → 80 ms backoff does not fit in 60 ms.
  assert.equal(attempts, 2);
  assert.deepEqual(events, ['retry:40', 'give-up:deadline']);
});

test('backoff jitter comes from the injected Random: same seed, same waits; each within its cap', () => {
  const waits = (seed: number, jitter: 'full' | 'equal'): number[] => {
    const retry = new RetryPolicy({ random: new SeededRandom(seed), backoff: { initial: 10, max: 1000, jitter } });
    return Array.from({ length: 8 }, (_, i) => retry.backoffMs(i + 1));
  };
  assert.deepEqual(waits(5, 'full'), waits(5, 'full'));
  assert.notDeepEqual(waits(5, 'full'), waits(6, 'full'));
  for (const [i, w] of waits(5, 'full').entries()) assert.ok(w >= 0 && w <= Math.min(1000, 10 * 2 ** i));
  for (const [i, w] of waits(5, 'equal').entries()) assert.ok(w >= Math.min(1000, 10 * 2 ** i) / 2 && w <= Math.min(1000, 10 * 2 ** i));
});

test('a LoadShedError from downstream is retried no sooner than its retryAfterMs; aborts are not retried', async () => {
  const clock = new VirtualClock();
  const retry = new RetryPolicy({ clock, random: new SeededRandom(3), budget: false, backoff: { initial: 1, jitter: 'none' } });
  const times: number[] = [];
  const value = retry.execute(async ({ attempt }) => {
    times.push(clock.now());
    if (attempt === 0) throw new LoadShedError('busy', 250);
    return 'ok';
  });
  await clock.runUntilIdle();
  assert.equal(await value, 'ok');
  assert.equal(times[1]! - times[0]!, 250);

  const caller = new AbortController();
  let attempts = 0;
  const aborted = retry.execute(
    async () => {
      attempts++;
      caller.abort(new Error('gone'));
      throw new Error('x');
    },
    { signal: caller.signal },
  );
  await assert.rejects(aborted, /gone/);
  assert.equal(attempts, 1);
});
