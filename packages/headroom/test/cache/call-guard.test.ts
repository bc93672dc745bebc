import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallGuard } from '../../src/cache/call-guard.js';
import { CircuitBreaker } from '../../src/cache/circuit-breaker.js';
import { SeededRandom } from '../../src/core/random.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { deferred } from './helpers.js';

/** Breaker settings: open periods from the core backoff, no jitter unless asked. */
function breaker(failureThreshold: number, initialMs: number, maxMs: number, jitter: 'none' | 'full' = 'none') {
  return { failureThreshold, backoff: { initialMs, maxMs, multiplier: 2, jitter }, random: new SeededRandom(5) } as const;
}

test('circuit breaker: opens after N consecutive failures, probes once when the period ends, re-opens for twice as long', () => {
  const states: string[] = [];
  const b = new CircuitBreaker(breaker(3, 100, 250), (s) => states.push(s));
  b.record(0, 'failure');
  b.record(0, 'failure');
  b.record(0, 'success'); // a success resets the count
  b.record(0, 'ignored'); // says nothing: the count stays
  b.record(0, 'failure');
  b.record(0, 'failure');
  assert.equal(b.state, 'closed');
  b.record(10, 'failure');
  assert.equal(b.state, 'open');
  assert.equal(b.allow(50), false);
  assert.equal(b.retryAfterMs(50), 60);
  assert.equal(b.allow(110), true); // the probe
  assert.equal(b.allow(110), false); // one probe at a time
  b.record(120, 'failure');
  assert.equal(b.allow(300), false); // re-opened for 200 ms
  assert.equal(b.allow(321), true);
  b.record(321, 'failure');
  assert.equal(b.allow(321 + 249), false); // capped at 250 ms
  assert.equal(b.allow(321 + 250), true);
  b.record(321 + 250, 'success');
  assert.equal(b.state, 'closed');
  assert.deepEqual(states, ['open', 'half-open', 'open', 'half-open', 'open', 'half-open', 'closed']);
});

test('circuit breaker: with jitter the open periods are drawn under the backoff ceilings; an ignored probe frees the probe slot', () => {
  const b = new CircuitBreaker(breaker(1, 100, 1_000, 'full'));
  let now = 0;
  for (let opens = 1; opens <= 6; opens++) {
    b.record(now, 'failure');
    assert.equal(b.state, 'open');
    const period = b.retryAfterMs(now);
    assert.ok(period >= 0 && period <= Math.min(1_000, 100 * 2 ** (opens - 1)), `open ${opens}: ${period} ms`);
    now += period;
    assert.equal(b.allow(now), true);
  }
  b.record(now, 'ignored');
  assert.equal(b.state, 'half-open');
  assert.equal(b.allow(now), true, 'the ignored probe freed the slot');
});

test('call guard: every call is bounded by the timeout with one timer; late results are ignored', async () => {
  const clock = new VirtualClock();
  const guard = new CallGuard({ tier: 'test', clock, timeoutMs: 100, breaker: breaker(100, 1000, 1000) });
  const slow = deferred<string>();
  const results: string[] = [];
  const calls = Array.from({ length: 50 }, (_, i) =>
    guard
      .run('op', () => (i === 0 ? slow.promise : new Promise<string>(() => {})))
      .then(
        (v) => results.push(v),
        (e: unknown) => results.push((e as { code: string }).code),
      ),
  );
  assert.equal(clock.pendingTimers, 1);
  await clock.advanceBy(99);
  assert.equal(results.length, 0);
  await clock.advanceBy(1);
  await Promise.all(calls);
  assert.equal(results.filter((r) => r === 'HR_CACHE_TIER_TIMEOUT').length, 50);
  slow.resolve('late');
  assert.equal(guard.timeouts, 50);
  assert.equal(clock.pendingTimers, 0);
});

test('call guard: failures open the circuit; calls are then refused at once with HR_CACHE_CIRCUIT_OPEN', async () => {
  const clock = new VirtualClock();
  const guard = new CallGuard({ tier: 'test', clock, timeoutMs: 100, breaker: breaker(2, 500, 500) });
  for (let i = 0; i < 2; i++) {
    await assert.rejects(
      guard.run('op', () => Promise.reject(new Error('ECONNREFUSED'))),
      (e) => isHeadroomError(e, 'HR_CACHE_TIER_FAILED') && /ECONNREFUSED/.test((e as Error).message),
    );
  }
  let ran = false;
  await assert.rejects(
    guard.run('op', async () => {
      ran = true;
    }),
    (e) => isHeadroomError(e, 'HR_CACHE_CIRCUIT_OPEN'),
  );
  assert.equal(ran, false);
  await clock.advanceBy(500);
  assert.equal(await guard.run('op', async () => 'ok'), 'ok');
  assert.equal(guard.state, 'closed');
});
