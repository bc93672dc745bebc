import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { sleep } from '../../src/core/clock.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { Deadline, fanOut } from '../../src/latency/index.js';

const backends = [
  { name: 'a', ms: 10 },
  { name: 'b', ms: 30 },
  { name: 'c', ms: 50, fail: true },
  { name: 'd', ms: 500 },
];

function call(clock: VirtualClock, aborts: string[]) {
  return async (b: { name: string; ms: number; fail?: boolean }, { signal }: { signal: AbortSignal }): Promise<string> => {
    signal.addEventListener('abort', () => aborts.push(b.name));
    await sleep(clock, b.ms, signal);
    if (b.fail === true) throw new Error(`${b.name} failed`);
    return b.name.toUpperCase();
  };
}

test("'all' waits for every backend and reports each status", async () => {
  const clock = new VirtualClock();
  const aborts: string[] = [];
  const run = fanOut(backends, call(clock, aborts), { clock });
  await clock.runUntilIdle();
  const r = await run;
  assert.equal(r.complete, false, 'c failed');
  assert.equal(r.ok, 3);
  assert.deepEqual(r.values, ['A', 'B', 'D']);
  assert.deepEqual(
    r.results.map((x) => x.status),
    ['ok', 'ok', 'error', 'ok'],
  );
  assert.deepEqual(
    r.results.map((x) => x.latencyMs),
    [10, 30, 50, 500],
  );
  assert.equal(r.elapsedMs, 500);
  assert.deepEqual(aborts, []);
});

test('quorum k returns at the k-th success and cancels the rest', async () => {
  const clock = new VirtualClock();
  const aborts: string[] = [];
  const run = fanOut(backends, call(clock, aborts), { clock, wait: { quorum: 2 } });
  await clock.runUntilIdle();
  const r = await run;
  assert.equal(r.complete, true);
  assert.equal(r.elapsedMs, 30);
  assert.deepEqual(
    r.results.map((x) => x.status),
    ['ok', 'ok', 'cancelled', 'cancelled'],
  );
  assert.deepEqual(aborts.sort(), ['c', 'd']);
  assert.equal(clock.pendingTimers, 0);
});

test('a quorum that can no longer be met returns at once, incomplete', async () => {
  const clock = new VirtualClock();
  const failing = [
    { name: 'x', ms: 5, fail: true },
    { name: 'y', ms: 6, fail: true },
    { name: 'z', ms: 100 },
  ];
  const run = fanOut(failing, call(clock, []), { clock, wait: { quorum: 2 } });
  await clock.runUntilIdle();
  const r = await run;
  assert.equal(r.complete, false);
  assert.equal(r.elapsedMs, 6);
  assert.deepEqual(
    r.results.map((x) => x.status),
    ['error', 'error', 'cancelled'],
  );
});

test('the deadline returns partial results with the stragglers marked timeout', async () => {
  const clock = new VirtualClock();
  const aborts: string[] = [];
  const run = fanOut(backends, call(clock, aborts), { clock, deadline: Deadline.after(100, { clock }) });
  await clock.runUntilIdle();
  const r = await run;
  assert.equal(r.complete, false);
  assert.equal(r.elapsedMs, 100);
  assert.deepEqual(r.values, ['A', 'B']);
  assert.deepEqual(
    r.results.map((x) => x.status),
    ['ok', 'ok', 'error', 'timeout'],
  );
  assert.deepEqual(aborts, ['d']);
});

test('the caller aborting rejects with its reason; a bad quorum is refused', async () => {
  const clock = new VirtualClock();
  const caller = new AbortController();
  const run = fanOut(backends, call(clock, []), {
    clock,
    signal: caller.signal,
    deadline: Deadline.after(1000, { clock, signal: caller.signal }),
  });
  await clock.advanceBy(20);
  caller.abort(new Error('user left'));
  await assert.rejects(run, /user left/);
  assert.throws(
    () => fanOut(backends, call(clock, []), { wait: { quorum: 5 } }),
    (e) => isHeadroomError(e, 'HR_LATENCY_INVALID_OPTION'),
  );
  const empty = await fanOut([], call(clock, []), { clock });
  assert.equal(empty.complete, true);
});
