// The async policies are thin drivers over their synchronous cores (cores.test.ts): every
// decision a TiedPolicy, RetryPolicy, Deadline or fanOut makes is its core's. Each check either
// runs one scripted scenario (VirtualClock, SeededRandom) through the policy and through the core
// by hand and finds the same decisions, or steers the core and finds the policy following it —
// so a policy that grew its own copy of the logic fails here. HedgePolicy's check is in cores.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { sleep } from '../../src/core/clock.js';
import { isHeadroomError } from '../../src/core/errors.js';
import {
  Deadline,
  DeadlineBudget,
  fanOut,
  FanOutTally,
  RetryCore,
  RetryPolicy,
  TieCancelledError,
  TiedCore,
  TiedPolicy,
  type FanOutProgress,
  type FanOutWait,
  type RetryDecision,
  type RetryEvent,
  type TiedRun,
} from '../../src/latency/index.js';

/** Wraps the run `core.begin()` returns so every decision asked of it is logged with its answer. */
function logRuns(core: TiedCore, log: string[], steer: { secondDue?: boolean } = {}): void {
  const begin = core.begin.bind(core);
  core.begin = (): TiedRun => {
    const run = begin();
    log.push('begin');
    const secondDue = run.secondDue.bind(run);
    const succeeded = run.succeeded.bind(run);
    const failed = run.failed.bind(run);
    const abandon = run.abandon.bind(run);
    run.secondDue = () => {
      const due = secondDue();
      const answer = steer.secondDue ?? due;
      log.push(`secondDue=${answer}`);
      return answer;
    };
    run.succeeded = (attempt) => {
      const won = succeeded(attempt);
      log.push(`succeeded(${attempt})=${won}`);
      return won;
    };
    run.failed = (error, tieCancelled) => {
      const over = tieCancelled === undefined ? failed(error) : failed(error, tieCancelled);
      log.push(`failed=${over}`);
      return over;
    };
    run.abandon = () => {
      abandon();
      log.push('abandon');
    };
    return run;
  };
}

test('TiedPolicy: the tie id, the stagger and the winner are its TiedCore’s — same seed, same decisions as the core by hand', async () => {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const policy = new TiedPolicy({ clock, random: new SeededRandom(21), delay: 3 });
  const log: string[] = [];
  logRuns(policy.core, log);
  const starts: Array<[number, string, number]> = [];
  const slow = policy.execute(async ({ attempt, tieId, signal }) => {
    starts.push([attempt, tieId, clock.now() - t0]);
    await sleep(clock, attempt === 0 ? 40 : 5, signal);
    return attempt;
  });
  await clock.runUntilIdle();
  assert.equal(await slow, 1);
  const dropped = policy.execute(async ({ attempt, tieId, signal }) => {
    if (attempt === 0) throw new TieCancelledError(tieId);
    await sleep(clock, 5, signal);
    return attempt;
  });
  await clock.runUntilIdle();
  assert.equal(await dropped, 1);
  const fast = policy.execute(async () => 'first');
  await clock.runUntilIdle();
  assert.equal(await fast, 'first');

  // The same three calls through a TiedCore driven by hand.
  const core = new TiedCore({ clock: new VirtualClock(), random: new SeededRandom(21), delay: 3 });
  const a = core.begin();
  assert.equal(a.secondDue(), true);
  assert.equal(a.succeeded(1), true);
  assert.equal(a.failed(new Error('aborted: its twin won')), false, 'the aborted loser reports in; the call is settled');
  const b = core.begin();
  assert.equal(b.failed(new TieCancelledError(b.tieId)), false);
  assert.equal(b.secondDue(), true);
  assert.equal(b.succeeded(1), true);
  const c = core.begin();
  assert.equal(c.succeeded(0), true, 'settled within the stagger: the timer is cancelled, secondDue is never asked');

  assert.deepEqual(
    starts.slice(0, 2).map(([attempt, tieId, at]) => [attempt, tieId, at]),
    [
      [0, a.tieId, 0],
      [1, a.tieId, core.delayMs],
    ],
    'the tie id and the stagger of the core',
  );
  assert.deepEqual(log, [
    'begin',
    'secondDue=true',
    'succeeded(1)=true',
    'failed=false',
    'begin',
    'failed=false',
    'secondDue=true',
    'succeeded(1)=true',
    'begin',
    'succeeded(0)=true',
  ]);
  assert.deepEqual(policy.stats(), core.stats());
});

test('TiedPolicy follows its core: the stagger it reads, a second copy the run refuses, a failure the run calls final', async () => {
  const clock = new VirtualClock();
  const policy = new TiedPolicy({ clock, random: new SeededRandom(2), delay: 2 });
  let t0 = clock.now();
  Object.defineProperty(policy.core, 'delayMs', { value: 9 });
  const launched: Array<[number, number]> = [];
  const staggered = policy.execute(async ({ attempt, signal }) => {
    launched.push([attempt, clock.now() - t0]);
    await sleep(clock, 50, signal);
    return attempt;
  });
  await clock.runUntilIdle();
  assert.equal(await staggered, 0);
  assert.deepEqual(launched, [
    [0, 0],
    [1, 9],
  ]);

  const log: string[] = [];
  logRuns(policy.core, log, { secondDue: false });
  launched.length = 0;
  t0 = clock.now();
  const single = policy.execute(async ({ attempt, signal }) => {
    launched.push([attempt, clock.now() - t0]);
    await sleep(clock, 50, signal);
    return attempt;
  });
  await clock.runUntilIdle();
  assert.equal(await single, 0);
  assert.deepEqual(launched, [[0, 0]], 'the run said no second copy: none is sent');

  const begin = policy.core.begin.bind(policy.core);
  policy.core.begin = () => {
    const run = begin();
    run.failed = (error) => {
      run.settled = true;
      run.error = error;
      return true;
    };
    return run;
  };
  const oneFailure = policy.execute(async ({ attempt }) => {
    if (attempt === 0) throw new Error('copy 0 down');
    return 'never reached';
  });
  const checked = assert.rejects(oneFailure, /copy 0 down/);
  await clock.runUntilIdle();
  await checked;
});

test('RetryPolicy: attempts and backoffs are its RetryCore’s — same seed, same decisions and events as the core by hand', async () => {
  const options = { maxAttempts: 4, budget: false as const, backoff: { initial: 10, max: 200, jitter: 'full' as const } };
  const clock = new VirtualClock();
  const policy = new RetryPolicy({ clock, random: new SeededRandom(11), ...options });
  const policyEvents: RetryEvent[] = [];
  policy.on((e) => policyEvents.push(e));
  const attemptsAt: number[] = [];
  const errors: Error[] = [];
  const call = policy.execute(async ({ attempt }) => {
    attemptsAt.push(clock.now());
    const error = new Error(`attempt ${attempt}`);
    errors.push(error);
    throw error;
  });
  const checked = assert.rejects(call, /attempt 3/);
  await clock.runUntilIdle();
  await checked;

  const core = new RetryCore({ clock: new VirtualClock(), random: new SeededRandom(11), ...options });
  const coreEvents: RetryEvent[] = [];
  core.events.on((e) => coreEvents.push(e));
  core.begin();
  const decisions = errors.map((error, attempt) => core.decide(error, attempt));
  assert.deepEqual(
    decisions.map((d) => (d.retry ? d.backoffMs : d.reason)),
    [...attemptsAt.slice(1).map((at, i) => at - attemptsAt[i]!), 'attempts'],
    'each retry waited exactly the backoff the core drew',
  );
  assert.ok(
    decisions.some((d) => d.retry && d.backoffMs > 0),
    'the seed draws a non-zero backoff',
  );
  assert.deepEqual(policyEvents, coreEvents);
});

test('RetryPolicy follows its core: it retries when decide says so, after its backoff, with the deadline’s time left, and stops when it says stop', async () => {
  const clock = new VirtualClock();
  const policy = new RetryPolicy({ clock, random: new SeededRandom(1), maxAttempts: 2, budget: false });
  const script: RetryDecision[] = [
    { retry: true, backoffMs: 7 },
    { retry: true, backoffMs: 0 },
    { retry: true, backoffMs: 30 },
    { retry: false, reason: 'budget' },
  ];
  const asked: Array<[number, number | undefined]> = [];
  let begins = 0;
  const begin = policy.core.begin.bind(policy.core);
  policy.core.begin = (nowMs?: number) => {
    begins++;
    begin(nowMs);
  };
  policy.core.decide = (_error, attempt, remainingMs) => {
    asked.push([attempt, remainingMs]);
    return script[attempt]!;
  };
  const deadline = Deadline.after(1000, { clock });
  const t0 = clock.now();
  const attemptsAt: number[] = [];
  const call = policy.execute(
    async ({ attempt }) => {
      attemptsAt.push(clock.now() - t0);
      throw new Error(`attempt ${attempt}`);
    },
    { deadline },
  );
  const checked = assert.rejects(call, /attempt 3/);
  await clock.runUntilIdle();
  await checked;
  deadline.dispose();
  assert.equal(begins, 1);
  assert.deepEqual(attemptsAt, [0, 7, 7, 37], 'four attempts although maxAttempts is 2: the core decides');
  assert.deepEqual(asked, [
    [0, 1000],
    [1, 993],
    [2, 993],
    [3, 963],
  ]);
});

test('Deadline follows its DeadlineBudget: expiry at construction, the timer, time left, may work start, a child’s time', async () => {
  const clock = new VirtualClock();
  const expired = DeadlineBudget.prototype.expired;
  const remaining = DeadlineBudget.prototype.remainingMs;
  try {
    DeadlineBudget.prototype.expired = () => true;
    const born = Deadline.after(100, { clock });
    assert.equal(born.signal.aborted, true, 'the core says expired: the signal fires at once');
    assert.ok(isHeadroomError(born.signal.reason, 'HR_CORE_DEADLINE_EXCEEDED'));
    DeadlineBudget.prototype.expired = () => false;
    DeadlineBudget.prototype.remainingMs = () => 5;
    const early = Deadline.after(100, { clock });
    DeadlineBudget.prototype.remainingMs = remaining;
    await clock.advanceBy(5);
    assert.equal(early.signal.aborted, true, 'the timer runs for the time the core says is left');
  } finally {
    DeadlineBudget.prototype.expired = expired;
    DeadlineBudget.prototype.remainingMs = remaining;
  }

  const deadline = Deadline.after(100, { clock });
  assert.equal(deadline.remainingMs(), deadline.core.remainingMs());
  deadline.core.remainingMs = () => 42;
  assert.equal(deadline.remainingMs(), 42);
  assert.doesNotThrow(() => deadline.check(50));
  deadline.core.allows = () => false;
  assert.throws(() => deadline.check(0), /Deadline too close: 42 ms left/);
  deadline.core.childAtMs = () => clock.now() + 17;
  const child = deadline.child({ timeout: 80 });
  assert.equal(child.atMs, clock.now() + 17);
  assert.equal(deadline.expired, false);
  deadline.core.expired = () => true;
  assert.equal(deadline.expired, true);
  child.dispose();
  deadline.dispose();
});

/** One backend of a scripted fan-out: it answers after `ms`, successfully or not. */
interface Scripted {
  readonly ms: number;
  readonly ok: boolean;
}

/** The outcome a FanOutTally driven by hand gives for backends settling in time order. */
function byHand(backends: readonly Scripted[], wait: FanOutWait): { statuses: string[]; complete: boolean; ok: number } {
  const tally = new FanOutTally(backends.length, wait);
  const statuses: string[] = backends.map(() => 'cancelled');
  const order = backends.map((b, i) => [b.ms, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (const [, i] of order) {
    statuses[i] = backends[i]!.ok ? 'ok' : 'error';
    if (tally.settle(backends[i]!.ok) !== 'waiting') break;
  }
  return { statuses, complete: tally.complete(), ok: tally.ok };
}

test('fanOut: when it stops, which backends it cancels, complete and ok are its FanOutTally’s — scripted, through both', async () => {
  const scenarios: Array<[FanOutWait, Scripted[]]> = [
    [
      'all',
      [
        { ms: 10, ok: true },
        { ms: 30, ok: false },
        { ms: 20, ok: true },
      ],
    ],
    [
      { quorum: 2 },
      [
        { ms: 10, ok: true },
        { ms: 40, ok: true },
        { ms: 20, ok: true },
        { ms: 50, ok: false },
      ],
    ],
    [
      { quorum: 3 },
      [
        { ms: 10, ok: false },
        { ms: 20, ok: false },
        { ms: 30, ok: true },
        { ms: 40, ok: true },
      ],
    ],
    [
      { quorum: 1 },
      [
        { ms: 5, ok: false },
        { ms: 15, ok: false },
        { ms: 25, ok: true },
      ],
    ],
  ];
  for (const [wait, backends] of scenarios) {
    const clock = new VirtualClock();
    let settles = 0;
    const settle = FanOutTally.prototype.settle;
    let result;
    try {
      FanOutTally.prototype.settle = function (this: FanOutTally, ok: boolean): FanOutProgress {
        settles++;
        return settle.call(this, ok);
      };
      const run = fanOut(
        backends,
        async (b, { signal }) => {
          await sleep(clock, b.ms, signal);
          if (!b.ok) throw new Error('down');
          return b.ms;
        },
        { clock, wait },
      );
      await clock.runUntilIdle();
      result = await run;
    } finally {
      FanOutTally.prototype.settle = settle;
    }
    const expected = byHand(backends, wait);
    const label = JSON.stringify(wait);
    assert.deepEqual(
      result.results.map((r) => r.status),
      expected.statuses,
      label,
    );
    assert.equal(result.complete, expected.complete, label);
    assert.equal(result.ok, expected.ok, label);
    assert.equal(settles, expected.statuses.filter((s) => s !== 'cancelled').length, `${label}: one settle per answer`);
  }
});

test('fanOut follows its tally: it stops when settle says so and reports complete as the tally does', async () => {
  const clock = new VirtualClock();
  const settle = FanOutTally.prototype.settle;
  const complete = FanOutTally.prototype.complete;
  let result;
  try {
    FanOutTally.prototype.settle = function (this: FanOutTally, ok: boolean): FanOutProgress {
      const progress = settle.call(this, ok);
      return this.pending === 1 ? 'quorum-reached' : progress;
    };
    FanOutTally.prototype.complete = () => true;
    const run = fanOut(
      [10, 20, 30],
      async (ms, { signal }) => {
        await sleep(clock, ms, signal);
        if (ms === 20) throw new Error('down');
        return ms;
      },
      { clock },
    );
    await clock.runUntilIdle();
    result = await run;
  } finally {
    FanOutTally.prototype.settle = settle;
    FanOutTally.prototype.complete = complete;
  }
  assert.deepEqual(
    result.results.map((r) => r.status),
    ['ok', 'error', 'cancelled'],
    "'all' stopped after two answers because the tally said so",
  );
  assert.equal(result.complete, true, 'complete is the tally’s answer, though a backend failed');
  assert.equal(result.ok, 1);
  assert.equal(result.elapsedMs, 20);
});
