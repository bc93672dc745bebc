import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { DeadlineExceededError, isHeadroomError, LoadShedError } from '../../src/core/errors.js';
import {
  AimdLimit,
  ConcurrencyLimiter,
  Deadline,
  Gradient2Limit,
  VegasLimit,
  WindowedLimit,
  type LimitAlgorithm,
} from '../../src/latency/index.js';
import { simServer, phase, type PhaseResult } from './overload-phase.js';

test('rejects past the limit with LoadShedError carrying retryAfterMs; permits release once', async () => {
  const clock = new VirtualClock();
  const limiter = new ConcurrencyLimiter({ clock, limit: 2, minRetryAfter: 5 });
  const a = limiter.tryAcquire()!;
  const b = limiter.tryAcquire()!;
  assert.equal(limiter.tryAcquire(), undefined);
  await assert.rejects(limiter.acquire(), (e) => e instanceof LoadShedError && e.retryAfterMs === 5 && e.details['reason'] === 'limit');
  await clock.advanceBy(30);
  a.release('success');
  a.release('success');
  assert.equal(limiter.inflight, 1);
  assert.equal(limiter.retryAfterMs(), 30, 'about one smoothed service time');
  b.release('ignored');
  assert.equal(limiter.stats().admitted, 2);
  assert.equal(limiter.stats().shed, 1);
});

test('queue: higher priority first, newest first within a priority (LIFO)', async () => {
  const clock = new VirtualClock();
  const limiter = new ConcurrencyLimiter({ clock, limit: 1, queueSize: 10 });
  const holder = limiter.tryAcquire()!;
  const order: string[] = [];
  const wait = (name: string, priority: number): Promise<void> =>
    limiter.acquire({ priority }).then((p) => {
      order.push(name);
      p.release('success');
    });
  const all = [wait('old-low', 0), wait('high', 5), wait('new-low', 0), wait('mid', 1)];
  assert.equal(limiter.queued, 4);
  holder.release('success');
  await Promise.all(all);
  assert.deepEqual(order, ['high', 'mid', 'new-low', 'old-low']);
});

test('a full queue sheds the arrival, or evicts its oldest lowest-priority waiter for a higher-priority one', async () => {
  const clock = new VirtualClock();
  const limiter = new ConcurrencyLimiter({ clock, limit: 1, queueSize: 2 });
  limiter.tryAcquire();
  const first = limiter.acquire({ priority: 0 });
  const second = limiter.acquire({ priority: 0 });
  await assert.rejects(limiter.acquire({ priority: 0 }), (e) => e instanceof LoadShedError && e.details['reason'] === 'queue-full');
  const vip = limiter.acquire({ priority: 9 });
  await assert.rejects(first, (e) => e instanceof LoadShedError && e.details['reason'] === 'evicted');
  assert.equal(limiter.queued, 2);
  void second.catch(() => undefined);
  void vip.catch(() => undefined);
});

test('waiting ends at the queue timeout (shed), at the deadline (deadline exceeded) or on abort (its reason)', async () => {
  const clock = new VirtualClock();
  const limiter = new ConcurrencyLimiter({ clock, limit: 1, queueSize: 5, queueTimeout: '100ms' });
  const holder = limiter.tryAcquire()!;
  const timedOut = limiter.acquire().catch((e: unknown) => [e, clock.now()]);
  const deadline = Deadline.after(30, { clock });
  const late = limiter.acquire({ deadline }).catch((e: unknown) => [e, clock.now()]);
  const caller = new AbortController();
  const aborted = limiter.acquire({ signal: caller.signal }).catch((e: unknown) => e);
  const start = clock.now();
  caller.abort(new Error('gone'));
  assert.equal(((await aborted) as Error).message, 'gone');
  await clock.advanceBy(200);
  const [lateErr, lateAt] = (await late) as [unknown, number];
  assert.ok(lateErr instanceof DeadlineExceededError);
  assert.equal(lateAt - start, 30);
  const [shed, shedAt] = (await timedOut) as [unknown, number];
  assert.ok(shed instanceof LoadShedError && shed.details['reason'] === 'queue-timeout');
  assert.equal(shedAt - start, 100);
  assert.equal(limiter.queued, 0);
  assert.equal(clock.pendingTimers, 0);
  holder.release('success');
});

test('a queued request whose deadline leaves less than a typical service time is refused, not started', async () => {
  const clock = new VirtualClock();
  const limiter = new ConcurrencyLimiter({ clock, limit: 1, queueSize: 5 });
  const warm = limiter.tryAcquire()!;
  await clock.advanceBy(40);
  warm.release('success'); // smoothed service time: 40 ms
  const holder = limiter.tryAcquire()!;
  const tight = limiter.acquire({ deadline: Deadline.after(60, { clock }) });
  await clock.advanceBy(25); // 35 ms left < 40 ms of service
  holder.release('success');
  await assert.rejects(tight, (e) => isHeadroomError(e, 'HR_CORE_DEADLINE_EXCEEDED'));
  assert.equal(limiter.inflight, 0);
});

test('execute: success feeds a sample, a deadline error is a drop, other errors are ignored', async () => {
  const clock = new VirtualClock();
  const aimd = new AimdLimit({ initialLimit: 10, minLimit: 1 });
  const limiter = new ConcurrencyLimiter({ clock, limit: aimd });
  await assert.rejects(
    limiter.execute(async () => {
      throw new DeadlineExceededError();
    }),
  );
  assert.equal(limiter.limit, 9);
  await assert.rejects(
    limiter.execute(async () => {
      throw new Error('bad input');
    }),
  );
  assert.equal(limiter.limit, 9);
  assert.equal(await limiter.execute(async () => 'ok'), 'ok');
  assert.equal(limiter.inflight, 0);
});

/** 10 s at 2× capacity, then 5 s at 0.5×: W = 40 workers, S = 20 ms (2,000 requests/s), SLO 100 ms. */
async function overloadThenRecover(algorithm: LimitAlgorithm | undefined, spread: number): Promise<[PhaseResult, PhaseResult]> {
  const W = 40;
  const S = 20;
  const clock = new VirtualClock();
  const random = new SeededRandom(7);
  const server = simServer(clock, random.fork('server'), W, S, spread);
  const limiter = algorithm === undefined ? undefined : new ConcurrencyLimiter({ clock, limit: algorithm });
  const arrivals = random.fork('arrivals');
  const overload = await phase(clock, server, limiter, arrivals, 2, 10_000, W, S, 5 * S);
  const recovery = await phase(clock, server, limiter, arrivals, 0.5, 5_000, W, S, 5 * S);
  return [overload, recovery];
}

// Each case serves ~25,000 requests in virtual time. Tolerances are bands around the true
// capacity (40 in flight), wide enough for each algorithm's documented steady state (Gradient2
// admits up to rttTolerance 1.5× the baseline latency; Vegas a queue of alpha..beta) and tight
// enough that a limiter stuck at its initial 20 or at its maximum fails.
const W = 40;

test('without a limiter the simulated server collapses at 2× capacity (the baseline the limiter must beat)', async () => {
  const [overload] = await overloadThenRecover(undefined, 0.5);
  assert.ok(overload.goodput < 0.1, `goodput ${overload.goodput}`);
});

test('Gradient2 (windowed 100 ms, Netflix defaults) converges near capacity at 2× load and recovers', async () => {
  const [overload, recovery] = await overloadThenRecover(new WindowedLimit(new Gradient2Limit(), { minWindow: 100, maxWindow: 100 }), 0.5);
  assert.ok(overload.meanLimit >= W && overload.meanLimit <= 2 * W, `mean limit ${overload.meanLimit}`);
  assert.ok(overload.goodput >= 0.9, `goodput ${overload.goodput}`);
  assert.ok(overload.p99 <= 3 * 20, `p99 ${overload.p99}`);
  assert.equal(recovery.rejected, 0);
  assert.ok(recovery.p99 <= 1.5 * 20 + 1, `recovery p99 ${recovery.p99}`);
});

test('the default limiter (windowed Gradient2) behaves the same', async () => {
  const clock = new VirtualClock();
  const limiter = new ConcurrencyLimiter({ clock });
  const random = new SeededRandom(7);
  const result = await phase(
    clock,
    simServer(clock, random.fork('server'), W, 20),
    limiter,
    random.fork('arrivals'),
    2,
    10_000,
    W,
    20,
    100,
  );
  assert.ok(result.goodput >= 0.9 && result.meanLimit <= 2 * W, JSON.stringify(result));
});

test('Vegas (windowed) converges to within 25% of capacity on a steady server and recovers', async () => {
  const [overload, recovery] = await overloadThenRecover(
    new WindowedLimit(new VegasLimit({ random: new SeededRandom(1) }), { minWindow: 100, maxWindow: 100 }),
    0.1,
  );
  assert.ok(overload.meanLimit >= 0.9 * W && overload.meanLimit <= 1.25 * W, `mean limit ${overload.meanLimit}`);
  assert.ok(overload.goodput >= 0.9, `goodput ${overload.goodput}`);
  assert.equal(recovery.rejected, 0);
});

test('AIMD (windowed, timeout 2 × service time) keeps goodput ≥ 90% with a bounded limit and recovers', async () => {
  const [overload, recovery] = await overloadThenRecover(
    new WindowedLimit(new AimdLimit({ minLimit: 1, timeout: 40 }), { minWindow: 100, maxWindow: 100 }),
    0.5,
  );
  assert.ok(overload.meanLimit >= W && overload.meanLimit <= 2.5 * W, `mean limit ${overload.meanLimit}`);
  assert.ok(overload.goodput >= 0.9, `goodput ${overload.goodput}`);
  assert.ok(overload.p99 <= 3 * 20, `p99 ${overload.p99}`);
  assert.equal(recovery.rejected, 0);
});
