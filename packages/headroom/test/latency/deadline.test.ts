import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { sleep, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { isHeadroomError } from '../../src/core/errors.js';
import {
  Deadline,
  DeadlinePolicy,
  readDeadline,
  deadlineHeaders,
  parseGrpcTimeout,
  formatGrpcTimeout,
  wrap,
} from '../../src/latency/index.js';

/** A clock whose timers fire only on multiples of `granularityMs`, like a timer wheel. */
class CoarseClock implements Clock {
  constructor(
    readonly inner: VirtualClock,
    readonly granularityMs: number,
  ) {}
  now(): number {
    return this.inner.now();
  }
  wallNow(): number {
    return this.inner.wallNow();
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const g = this.granularityMs;
    const now = this.inner.now();
    const due = g === 0 ? now + delayMs : Math.ceil((now + Math.max(0, delayMs)) / g) * g;
    return this.inner.setTimer(due - now, fn);
  }
}

test('a deadline aborts at its time with DeadlineExceededError, and reports what is left', async () => {
  const clock = new VirtualClock();
  const d = Deadline.after(100, { clock });
  assert.equal(d.atMs, clock.now() + 100);
  await clock.advanceBy(40);
  assert.equal(d.remainingMs(), 60);
  assert.equal(d.expired, false);
  await clock.advanceBy(60);
  assert.equal(d.signal.aborted, true);
  assert.ok(isHeadroomError(d.signal.reason, 'HR_CORE_DEADLINE_EXCEEDED'));
  assert.equal(d.remainingMs(), 0);
  assert.equal(clock.pendingTimers, 0);
});

test('a child deadline is never later than its parent; reserve and timeout shrink it; parent abort reaches it', async () => {
  const clock = new VirtualClock();
  const caller = new AbortController();
  const parent = Deadline.after(100, { clock, signal: caller.signal });
  const longer = parent.child({ timeout: 500 });
  const shorter = parent.child({ timeout: '30ms' });
  const reserved = parent.child({ reserve: 10 });
  assert.equal(longer.atMs, parent.atMs);
  assert.equal(shorter.atMs, clock.now() + 30);
  assert.equal(reserved.atMs, parent.atMs - 10);
  const reason = new Error('caller left');
  caller.abort(reason);
  for (const d of [parent, longer, shorter, reserved]) assert.equal(d.signal.reason, reason);
  for (const d of [parent, longer, shorter, reserved]) d.dispose();
  assert.equal(clock.pendingTimers, 0);
});

test('dispose cancels the timer and unlinks the parent', async () => {
  const clock = new VirtualClock();
  const parent = Deadline.after(100, { clock });
  const child = parent.child({ timeout: 50 });
  child.dispose();
  await clock.advanceBy(100);
  assert.equal(parent.signal.aborted, true);
  assert.equal(child.signal.aborted, false, 'a disposed child no longer follows its parent');
});

test('check() refuses work that cannot finish in the time left', async () => {
  const clock = new VirtualClock();
  const d = Deadline.after(20, { clock });
  d.check(10);
  assert.throws(
    () => d.check(25),
    (e) => isHeadroomError(e, 'HR_CORE_DEADLINE_EXCEEDED') && /20 ms left.*25 ms/.test((e as Error).message),
  );
  await clock.advanceBy(20);
  assert.throws(
    () => d.check(),
    (e) => isHeadroomError(e, 'HR_CORE_DEADLINE_EXCEEDED'),
  );
});

test('DeadlinePolicy does not start work when less than minRemainingMs is left', async () => {
  const clock = new VirtualClock();
  const policy = new DeadlinePolicy({ clock, minRemaining: () => 15 });
  let calls = 0;
  const caller = Deadline.after(10, { clock });
  await assert.rejects(
    policy.execute(
      async () => {
        calls++;
      },
      { deadline: caller },
    ),
    (e) => isHeadroomError(e, 'HR_CORE_DEADLINE_EXCEEDED'),
  );
  assert.equal(calls, 0);
  await assert.rejects(
    new DeadlinePolicy({ clock }).execute(async () => 1),
    (e) => isHeadroomError(e, 'HR_LATENCY_INVALID_OPTION'),
  );
});

test('DeadlinePolicy takes the sooner of its timeout and the caller deadline, and passes it down', async () => {
  const clock = new VirtualClock();
  const policy = new DeadlinePolicy({ clock, timeout: 50 });
  const seen: number[] = [];
  const caller = Deadline.after(30, { clock });
  await policy.execute(
    async ({ deadline }) => {
      seen.push(deadline!.remainingMs());
    },
    { deadline: caller },
  );
  await policy.execute(async ({ deadline }) => {
    seen.push(deadline!.remainingMs());
  });
  assert.deepEqual(seen, [30, 50]);
});

test('a call never overruns its deadline by more than the timer granularity, even when the work ignores its signal', async () => {
  // Property: for any work duration, timeout and timer granularity g, the call settles at or
  // before max(work end, deadline + g) and never later than deadline + g when the work is slower.
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 1, max: 200 }),
      fc.constantFrom(0, 1, 4, 10),
      fc.boolean(),
      async (workMs, timeoutMs, g, honoursSignal) => {
        const inner = new VirtualClock();
        const clock = new CoarseClock(inner, g);
        const policy = new DeadlinePolicy({ clock, timeout: timeoutMs });
        const start = inner.now();
        let settledAt = -1;
        let outcome = '';
        const work = policy.execute(({ signal }) => sleep(inner, workMs, honoursSignal ? signal : undefined).then(() => 'done'));
        void work.then(
          (v) => {
            outcome = v;
            settledAt = inner.now();
          },
          (e: unknown) => {
            outcome = isHeadroomError(e, 'HR_CORE_DEADLINE_EXCEEDED') ? 'deadline' : 'other';
            settledAt = inner.now();
          },
        );
        await inner.runUntilIdle();
        const atMs = start + timeoutMs;
        if (workMs < timeoutMs) {
          assert.equal(outcome, 'done');
        } else {
          assert.ok(outcome === 'deadline' || (outcome === 'done' && workMs <= timeoutMs + g), `outcome ${outcome}`);
          assert.ok(settledAt - atMs <= g, `overran by ${settledAt - atMs} ms with granularity ${g}`);
        }
      },
    ),
    { seed: 7, numRuns: 200 },
  );
});

test('deadline headers: remaining ms shrinks across hops; grpc-timeout is read and written', async () => {
  const clock = new VirtualClock();
  const edge = Deadline.after(250, { clock });
  await clock.advanceBy(40); // the edge works for 40 ms
  const wire = deadlineHeaders(edge, { grpc: true, reserve: 5 });
  assert.deepEqual(wire, { 'headroom-timeout-ms': '205', 'grpc-timeout': '205000u' });
  const hop = readDeadline(wire, { clock })!; // next hop: 205 ms from its arrival
  assert.equal(hop.remainingMs(), 205);
  await clock.advanceBy(100);
  assert.equal(deadlineHeaders(hop)['headroom-timeout-ms'], '105');
  // grpc-timeout alone, Headers instances, the smaller of two, the cap and the default.
  assert.equal(readDeadline(new Headers({ 'grpc-timeout': '2S' }), { clock })!.remainingMs(), 2000);
  assert.equal(readDeadline({ 'headroom-timeout-ms': '90', 'grpc-timeout': '50m' }, { clock })!.remainingMs(), 50);
  assert.equal(readDeadline({ 'headroom-timeout-ms': '999999' }, { clock, maxTimeout: 1000 })!.remainingMs(), 1000);
  assert.equal(readDeadline({}, { clock }), undefined);
  assert.equal(readDeadline({}, { clock, defaultTimeout: 300 })!.remainingMs(), 300);
  for (const bad of [
    { 'headroom-timeout-ms': '-5' },
    { 'headroom-timeout-ms': 'soon' },
    { 'grpc-timeout': '123456789m' },
    { 'grpc-timeout': '5x' },
  ]) {
    assert.throws(
      () => readDeadline(bad, { clock }),
      (e) => isHeadroomError(e, 'HR_LATENCY_INVALID_DEADLINE_HEADER'),
    );
  }
  await clock.advanceBy(200);
  assert.throws(
    () => deadlineHeaders(hop),
    (e) => isHeadroomError(e, 'HR_CORE_DEADLINE_EXCEEDED'),
  );
});

test('grpc-timeout: finest unit that fits 8 digits, never more time than given (property)', () => {
  assert.equal(formatGrpcTimeout(0.5), '500000n');
  assert.equal(formatGrpcTimeout(99.999999), '99999999n');
  assert.equal(formatGrpcTimeout(100), '100000u');
  assert.equal(formatGrpcTimeout(3_600_000), '3600000m');
  assert.equal(formatGrpcTimeout(200_000_000), '200000S');
  assert.equal(parseGrpcTimeout('1H'), 3_600_000);
  assert.equal(parseGrpcTimeout('7M'), 420_000);
  fc.assert(
    fc.property(fc.double({ min: 1e-6, max: 1e10, noNaN: true }), (ms) => {
      const text = formatGrpcTimeout(ms);
      assert.match(text, /^\d{1,8}[HMSmun]$/);
      const back = parseGrpcTimeout(text);
      assert.ok(back <= ms * (1 + 1e-12), `${text} = ${back} > ${ms}`);
      // When a unit overflows 8 digits the next one holds ≥ 10^5 of its steps: ≤ 1e-5 relative loss.
      assert.ok(back >= ms * (1 - 1e-5) - 1e-6, `${text} lost too much of ${ms}`);
    }),
    { seed: 11, numRuns: 2000 },
  );
});

test('wrap passes the outer deadline and signal to the inner policy', async () => {
  const clock = new VirtualClock();
  const outer = new DeadlinePolicy({ clock, timeout: 100 });
  const inner = new DeadlinePolicy({ clock, timeout: 500 });
  const remaining = await wrap(outer, inner).execute(async ({ deadline }) => deadline!.remainingMs());
  assert.equal(remaining, 100);
  assert.equal(await wrap().execute(async ({ attempt }) => attempt), 0);
});
