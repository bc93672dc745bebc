import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallGuard } from '../../src/cache/call-guard.js';
import { CircuitBreaker } from '../../src/cache/circuit-breaker.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { deferred } from './helpers.js';

test('circuit breaker: opens after N consecutive failures, probes once when the period ends, re-opens for twice as long', () => {
  const states: string[] = [];
  const b = new CircuitBreaker({ failureThreshold: 3, openMs: 100, maxOpenMs: 250 }, (s) => states.push(s));
  b.failure(0);
  b.failure(0);
  b.success(); // a success resets the count
  b.failure(0);
  b.failure(0);
  assert.equal(b.state, 'closed');
  b.failure(10);
  assert.equal(b.state, 'open');
  assert.equal(b.allow(50), false);
  assert.equal(b.retryAfterMs(50), 60);
  assert.equal(b.allow(110), true); // the probe
  assert.equal(b.allow(110), false); // one probe at a time
  b.failure(120);
  assert.equal(b.allow(300), false); // re-opened for 200 ms
  assert.equal(b.allow(321), true);
  b.failure(321);
  assert.equal(b.allow(321 + 249), false); // capped at 250 ms
  assert.equal(b.allow(321 + 250), true);
  b.success();
  assert.equal(b.state, 'closed');
  assert.deepEqual(states, ['open', 'half-open', 'open', 'half-open', 'open', 'half-open', 'closed']);
});

test('call guard: every call is bounded by the timeout with one timer; late results are ignored', async () => {
  const clock = new VirtualClock();
  const guard = new CallGuard({ tier: 'test', clock, timeoutMs: 100, breaker: { failureThreshold: 100, openMs: 1000, maxOpenMs: 1000 } });
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
  const guard = new CallGuard({ tier: 'test', clock, timeoutMs: 100, breaker: { failureThreshold: 2, openMs: 500, maxOpenMs: 500 } });
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
