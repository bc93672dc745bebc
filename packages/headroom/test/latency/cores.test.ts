// The synchronous decision cores of headroom/latency, driven by hand: no promise, no timer, time
// passed in. The async policies (hedge.test.ts, tied.test.ts, …) run over the same classes, and
// the simulator's tests (test/sim/hedging.test.ts) drive them inside the event loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { LoadShedError } from '../../src/core/errors.js';
import { SimEngine } from '../../src/sim/engine.js';
import {
  DeadlineBudget,
  FanOutTally,
  HedgeCore,
  HedgePolicy,
  RetryCore,
  TieCancelledError,
  TiedCore,
  TokenBudget,
  type HedgeEvent,
} from '../../src/latency/index.js';

test('HedgeCore: a fixed delay fires one backup per decision until maxExtra; the winner cancels the open losers', () => {
  const clock = new VirtualClock();
  const core = new HedgeCore({ clock, delay: 10, maxExtra: 2, budget: false });
  const run = core.begin(0);
  assert.equal(run.launch(0), 0);
  assert.equal(run.nextCheckMs(0), 10);
  assert.equal(run.due(10), true);
  assert.equal(run.launch(10), 1);
  assert.equal(run.nextCheckMs(10), 10, 'a second backup may follow');
  assert.equal(run.due(20), true);
  assert.equal(run.launch(20), 2);
  assert.equal(run.nextCheckMs(20), undefined, 'maxExtra reached');
  assert.equal(run.failed(0), false, 'a failure with attempts open does not end the call');
  const losers = run.succeeded(2, 25);
  assert.equal(losers, 0b010, 'attempt 1 is still open and is cancelled; 0 already failed');
  assert.equal(run.settled, true);
  assert.equal(run.succeeded(1, 30), 0, 'a late success of a settled call changes nothing');
  assert.deepEqual(core.stats(), { calls: 1, hedges: 2, refused: 0, wins: [0, 0, 1], delayMs: 10 });
});

test('HedgeCore: the adaptive delay is the percentile of observed latencies, cancelled losers entering with their elapsed time', () => {
  const core = new HedgeCore({ clock: new VirtualClock(), percentile: 50, minSamples: 4, budget: false });
  assert.equal(core.delayMs(), undefined, 'no hedge before minSamples without initialDelay');
  for (const latency of [10, 20, 30]) {
    const run = core.begin(0);
    run.launch(0);
    assert.equal(run.nextCheckMs(0), undefined);
    run.succeeded(0, latency);
  }
  assert.equal(core.delayMs(), undefined, '3 of 4 samples');
  const run = core.begin(100);
  run.launch(100);
  run.launch(105); // a second attempt sent by the caller's own decision
  run.succeeded(1, 140); // attempt 1 took 35 ms; attempt 0, cancelled at 40 ms, enters with 40
  assert.equal(core.delayMs(), 30, 'window 10, 20, 30, 35, 40 → p50 = 30');
  assert.equal(new HedgeCore({ clock: new VirtualClock() }).stats().delayMs, undefined);
});

test('HedgeCore: a refused hedge is asked again when the wait has doubled, and only the re-ask may spend the reserved half', () => {
  const clock = new VirtualClock();
  // 4-token bucket holding 2: a first ask must leave floor(4/2) = 2, so it is refused.
  const budget = new TokenBudget({ clock, ratio: 0, minPerSec: 0, maxTokens: 4, initialTokens: 2 });
  const core = new HedgeCore({ clock, delay: 10, budget });
  const events: HedgeEvent[] = [];
  core.events.on((e) => events.push(e));
  const run = core.begin(0);
  run.launch(0);
  assert.equal(run.due(10), false, 'first ask keeps the reserve');
  assert.equal(run.nextCheckMs(10), 10, 're-ask after the wait doubles (10 ms more)');
  assert.equal(run.due(20), true, 'the re-ask may spend it');
  assert.deepEqual(
    events.map((e) => e.type),
    ['refused', 'hedge'],
  );
  assert.equal(budget.stats().tokens, 1);
});

test('HedgeCore: every attempt failing fails the call; abandon settles it without observing', () => {
  const core = new HedgeCore({ clock: new VirtualClock(), delay: 5, budget: false });
  const run = core.begin(0);
  run.launch(0);
  run.launch(5);
  assert.equal(run.failed(1), false);
  assert.equal(run.failed(0), true);
  assert.equal(run.nextCheckMs(6), undefined);
  const other = core.begin(0);
  other.launch(0);
  other.abandon();
  assert.equal(other.due(5), false);
  assert.deepEqual(core.stats().wins, []);
});

test('HedgePolicy drives the same core it exposes', async () => {
  const clock = new VirtualClock();
  const policy = new HedgePolicy({ clock, delay: 5, budget: false });
  const done = policy.execute(async ({ attempt }) => {
    if (attempt === 0) await new Promise(() => {}); // never answers; aborted by the winner
    return attempt;
  });
  await clock.advanceBy(5);
  assert.equal(await done, 1);
  assert.deepEqual(policy.core.stats(), policy.stats());
  assert.deepEqual(policy.stats().wins, [0, 1]);
});

test('TiedCore: copy 1 goes unless settled; the first success wins; a tie-cancelled copy is not the reported error', () => {
  const core = new TiedCore({ random: new SeededRandom(1), delay: 2 });
  assert.equal(core.delayMs, 2);
  const run = core.begin();
  assert.match(run.tieId, /^[0-9a-f]{16}$/);
  assert.equal(run.secondDue(), true);
  assert.equal(run.succeeded(1), true);
  assert.equal(run.succeeded(0), false);
  const failing = core.begin();
  assert.equal(failing.failed(new TieCancelledError(failing.tieId)), false);
  assert.equal(failing.secondDue(), true);
  const real = new Error('disk');
  assert.equal(failing.failed(real), true);
  assert.equal(failing.error, real, 'a real error is preferred over the tie cancellation');
  const early = core.begin();
  assert.equal(early.succeeded(0), true);
  assert.equal(early.secondDue(), false, 'settled within the stagger: no second copy');
  assert.deepEqual(core.stats(), { calls: 3, secondCopies: 2, wins: [1, 1], cancelledByServer: 1 });
  assert.equal(new TiedCore({ random: new SeededRandom(1) }).newTieId(), new TiedCore({ random: new SeededRandom(1) }).newTieId());
});

test('RetryCore: attempts, retryOn, deadline and budget decide, in that order; backoff from the seeded Random', () => {
  const clock = new VirtualClock();
  const budget = new TokenBudget({ clock, ratio: 0, minPerSec: 0, maxTokens: 1, initialTokens: 1 });
  const core = new RetryCore({ clock, random: new SeededRandom(3), maxAttempts: 3, budget, backoff: { initial: 10, jitter: 'none' } });
  core.begin();
  const err = new Error('boom');
  assert.deepEqual(core.decide(err, 2), { retry: false, reason: 'attempts' });
  assert.deepEqual(core.decide(new DOMException('x', 'AbortError'), 0), { retry: false, reason: 'not-retryable' });
  assert.deepEqual(core.decide(err, 0, 5), { retry: false, reason: 'deadline' }, '10 ms backoff does not fit 5 ms');
  assert.deepEqual(core.decide(err, 0, 100), { retry: true, backoffMs: 10 });
  assert.deepEqual(core.decide(err, 1, 100), { retry: false, reason: 'budget' }, 'the one token is spent');
  const shed = new RetryCore({ clock, random: new SeededRandom(3), budget: false, backoff: { initial: 1, jitter: 'none' } });
  assert.deepEqual(shed.decide(new LoadShedError('busy', 250), 0), { retry: true, backoffMs: 250 });
  const a = new RetryCore({ clock, random: new SeededRandom(9), budget: false });
  const b = new RetryCore({ clock, random: new SeededRandom(9), budget: false });
  const waits = [1, 2, 3].map((n) => a.backoffMs(n));
  assert.deepEqual(
    waits,
    [1, 2, 3].map((n) => b.backoffMs(n)),
  );
  waits.forEach((w, i) => assert.ok(w >= 0 && w <= 25 * 2 ** i, `retry ${i + 1}: ${w}`));
});

test('DeadlineBudget: time left, may work start, a child never later than its parent — on the simulator clock', () => {
  const engine = new SimEngine();
  const budget = new DeadlineBudget(100, { clock: engine.clock });
  assert.equal(budget.remainingMs(), 100);
  engine.run(70);
  assert.equal(budget.remainingMs(), 30);
  assert.equal(budget.allows(30), true);
  assert.equal(budget.allows(31), false);
  assert.equal(budget.childAtMs({ reserveMs: 5 }), 95);
  assert.equal(budget.childAtMs({ timeoutMs: 10, reserveMs: 5 }), 80);
  assert.equal(budget.childAtMs({ timeoutMs: 50 }), 100, 'never later than the parent');
  engine.run(100);
  assert.equal(budget.expired(), true);
  assert.equal(budget.allows(0), false, 'an expired deadline allows nothing');
  assert.equal(budget.remainingMs(), 0);
});

test("FanOutTally: 'all' waits for every backend; a quorum ends at k successes or when k is out of reach", () => {
  const all = new FanOutTally(3);
  assert.equal(all.settle(false), 'waiting', "'all' does not stop at a failure");
  assert.equal(all.settle(true), 'waiting');
  assert.equal(all.settle(true), 'all-settled');
  assert.equal(all.complete(), false);
  const quorum = new FanOutTally(4, { quorum: 2 });
  assert.equal(quorum.settle(true), 'waiting');
  assert.equal(quorum.settle(true), 'quorum-reached');
  assert.equal(quorum.complete(), true);
  const lost = new FanOutTally(3, { quorum: 2 });
  assert.equal(lost.settle(false), 'waiting');
  assert.equal(lost.settle(false), 'quorum-impossible');
  assert.throws(() => new FanOutTally(3, { quorum: 4 }), /wait\.quorum/);
  assert.throws(() => new FanOutTally(0, { quorum: 1 }), /backends/);
});
