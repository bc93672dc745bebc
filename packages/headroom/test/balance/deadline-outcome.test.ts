/**
 * A request that hits its deadline is the endpoint not answering in time: it counts toward
 * ejection, as Finagle's failure accrual and Envoy's outlier detection count timeouts. A caller's
 * own cancel (a lost hedge, a plain abort) says nothing about the endpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { Balancer, roundRobin, outstanding } from '../../src/balance/index.js';
import { abortOutcome } from '../../src/balance/abort-outcome.js';
import { DeadlineExceededError } from '../../src/core/errors.js';
import { CancelledError, Deadline } from '../../src/latency/index.js';

/** A balancer over `a` and `b` (round robin, eject after 3 in a row) where `a` never answers. */
function setup() {
  const clock = new VirtualClock({ startMs: 1_000_000 });
  const balancer = new Balancer({
    endpoints: ['a', 'b'],
    picker: roundRobin(),
    load: outstanding(),
    outlier: { consecutiveErrors: 3, successRate: false, maxEjectionPercent: 50 },
    clock,
    random: new SeededRandom(1),
  });
  /** Work that answers at once on `b` and hangs on `a` until its signal aborts. */
  const work = (ep: { id: string }, signal: AbortSignal): Promise<string> =>
    ep.id === 'b'
      ? Promise.resolve('b')
      : new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('socket closed')), { once: true }));
  const ejected = (): boolean => balancer.endpoints().find((e) => e.id === 'a')!.ejected;
  return { clock, balancer, work, ejected };
}

test('requests to a hung endpoint that hit their Deadline eject it after consecutiveErrors', async () => {
  const { clock, balancer, work, ejected } = setup();
  for (let i = 0; i < 6 && !ejected(); i++) {
    const deadline = Deadline.after(100, { clock });
    const call = balancer.call(work, { signal: deadline.signal }).catch((e: unknown) => e);
    await clock.advanceBy(100);
    await call;
  }
  assert.equal(ejected(), true, 'three deadline-hit requests in a row to a are three failures');
});

test('AbortSignal.timeout-style reasons (TimeoutError) count as failures too; a caller cancel or a lost hedge does not', async () => {
  assert.equal(abortOutcome(new DeadlineExceededError()), 'failure');
  assert.equal(abortOutcome(new DOMException('The operation timed out.', 'TimeoutError')), 'failure');
  assert.equal(abortOutcome(new CancelledError('hedge-lost')), 'ignored');
  assert.equal(abortOutcome(new DOMException('This operation was aborted', 'AbortError')), 'ignored');
  assert.equal(abortOutcome(undefined), 'ignored');

  const { clock, balancer, work, ejected } = setup();
  for (let i = 0; i < 8; i++) {
    const controller = new AbortController();
    const call = balancer.call(work, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(i % 2 === 0 ? new CancelledError('hedge-lost') : undefined);
    await call;
    await clock.advanceBy(0);
  }
  assert.equal(ejected(), false, 'cancelled requests say nothing about a');
});
