import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { FaultInjector, InjectedFaultError, killSwitch, withFaults, type FaultRule } from '../../src/chaos/index.js';

function injector(faults: FaultRule[], clock = new VirtualClock(), seed = 1): { chaos: FaultInjector; clock: VirtualClock } {
  return { chaos: new FaultInjector({ faults, clock, random: new SeededRandom(seed) }), clock };
}

test('a latency fault delays the call by exactly the fixed latency on the virtual clock', async () => {
  const { chaos, clock } = injector([{ latency: '250ms' }]);
  const start = clock.now();
  let doneAt = 0;
  const call = chaos
    .run(() => 'ok')
    .then((v) => {
      doneAt = clock.now();
      return v;
    });
  await clock.advanceBy(249);
  assert.equal(doneAt, 0, 'not before 250 ms');
  await clock.advanceBy(1);
  assert.equal(await call, 'ok');
  assert.equal(doneAt - start, 250);
});

test('error, status, timeout and abort faults reject with HR_CHAOS_INJECTED of the right kind', async () => {
  const { chaos, clock } = injector([
    { name: 'e', error: 'boom', select: { keys: ['e'] } },
    { status: 503, select: { keys: ['s'] } },
    { timeout: 100, select: { keys: ['t'] } },
    { abort: true, select: { keys: ['a'] } },
  ]);
  await assert.rejects(
    chaos.run(() => 1, { key: 'e' }),
    (e: unknown) =>
      e instanceof InjectedFaultError && e.kind === 'error' && e.message === 'boom' && isHeadroomError(e, 'HR_CHAOS_INJECTED'),
  );
  await assert.rejects(
    chaos.run(() => 1, { key: 's' }),
    (e: unknown) => e instanceof InjectedFaultError && e.status === 503,
  );
  const timedOut = assert.rejects(
    chaos.run(() => 1, { key: 't' }),
    (e: unknown) => e instanceof InjectedFaultError && e.kind === 'timeout',
  );
  await clock.advanceBy(100);
  await timedOut;
  await assert.rejects(
    chaos.run(() => 1, { key: 'a' }),
    (e: unknown) => e instanceof InjectedFaultError && e.details['errno'] === 'ECONNRESET',
  );
  assert.equal(await chaos.run(() => 'through', { key: 'other' }), 'through');
});

test('a hang lasts until the caller aborts, and a disarmed injector lets hanging calls through', async () => {
  const { chaos, clock } = injector([{ hang: true }]);
  const ac = new AbortController();
  const aborted = assert.rejects(
    chaos.run(() => 1, { signal: ac.signal }),
    /gave up/,
  );
  await clock.advanceBy(60_000);
  ac.abort(new Error('gave up'));
  await aborted;
  let settled = false;
  const released = chaos.run(() => 'late').finally(() => (settled = true));
  await clock.advanceBy(60_000);
  assert.equal(settled, false);
  chaos.disarm();
  assert.equal(await released, 'late');
});

test('the global kill switch stops every fault at once and releases hangs', async () => {
  const { chaos } = injector([{ hang: true, select: { keys: ['h'] } }, { error: true }]);
  const hanging = chaos.run(() => 'released', { key: 'h' });
  killSwitch.engage();
  try {
    assert.equal(await hanging, 'released');
    assert.equal(await chaos.run(() => 'clean'), 'clean');
    assert.equal(chaos.decide('x'), undefined);
  } finally {
    killSwitch.release();
  }
  await assert.rejects(chaos.run(() => 1));
});

test('probability fires the stated share of calls (N = 20000, tolerance 4 sigma)', () => {
  const { chaos } = injector([{ error: true, probability: 0.1 }], new VirtualClock(), 7);
  const n = 20_000;
  let fired = 0;
  for (let i = 0; i < n; i++) if (chaos.decide(`k${i}`) !== undefined) fired++;
  const sigma = Math.sqrt(n * 0.1 * 0.9);
  assert.ok(Math.abs(fired - n * 0.1) < 4 * sigma, `fired ${fired}`);
});

test('maxCount heals the rule after N faults (fail the first N)', () => {
  const { chaos } = injector([{ status: 500, maxCount: 3 }]);
  const outcomes = Array.from({ length: 6 }, () => chaos.decide('k')?.outcome ?? 'none');
  assert.deepEqual(outcomes, ['status', 'status', 'status', 'none', 'none', 'none']);
  assert.deepEqual(chaos.stats(), [{ name: 'fault-0', fired: 3 }]);
});

test('schedules: window, flap, ramp and fail-then-heal shape when the fault fires', async () => {
  const clock = new VirtualClock();
  const at = async (chaos: FaultInjector, ms: number, n = 400): Promise<number> => {
    await clock.advanceTo(clock.now() - chaos.elapsedMs() + ms);
    let fired = 0;
    for (let i = 0; i < n; i++) if (chaos.decide() !== undefined) fired++;
    return fired / n;
  };
  const win = injector([{ error: true, schedule: { kind: 'window', start: '1s', duration: '2s' } }], clock).chaos;
  assert.deepEqual([await at(win, 500), await at(win, 1500), await at(win, 3500)], [0, 1, 0]);
  const flap = injector([{ error: true, schedule: { kind: 'flap', on: 100, off: 300 } }], clock).chaos;
  assert.deepEqual([await at(flap, 4050), await at(flap, 4150), await at(flap, 4450)], [1, 0, 1]);
  const ramp = injector([{ error: true, schedule: { kind: 'ramp', over: '10s' } }], clock, 3).chaos;
  const mid = await at(ramp, 5000, 4000);
  assert.ok(mid > 0.45 && mid < 0.55, `ramp at half-way fired ${mid}`);
  assert.equal(await at(ramp, 20_000), 1);
  const heal = injector([{ error: true, schedule: { kind: 'fail-then-heal', fail: '1s', heal: '1s' } }], clock, 4).chaos;
  assert.equal(await at(heal, 900), 1);
  const healing = await at(heal, 1750, 4000);
  assert.ok(healing > 0.2 && healing < 0.3, `healing at 75% fired ${healing}`);
  assert.equal(await at(heal, 2100), 0);
});

test('selectors: keys, prefix, pattern and match restrict the blast radius', () => {
  const { chaos } = injector([{ error: true, select: { prefix: 'tenant-7:', pattern: /orders/ } }]);
  assert.notEqual(chaos.decide('tenant-7:/orders/1'), undefined);
  assert.equal(chaos.decide('tenant-7:/users/1'), undefined);
  assert.equal(chaos.decide('tenant-8:/orders/1'), undefined);
  assert.equal(chaos.decide(undefined), undefined);
});

test('latency distributions draw within their support', () => {
  const { chaos } = injector([
    { latency: { uniform: [10, 20] }, select: { keys: ['u'] } },
    { latency: { samples: [3, 7] }, select: { keys: ['s'] } },
    { latency: { percentiles: { '50': 10, '99': 100, '100': 200 } }, select: { keys: ['p'] } },
  ]);
  const draws = (key: string): number[] => Array.from({ length: 2000 }, () => chaos.decide(key)!.delayMs);
  assert.ok(draws('u').every((d) => d >= 10 && d < 20));
  assert.deepEqual([...new Set(draws('s'))].sort(), [3, 7]);
  const p = draws('p').sort((a, b) => a - b);
  assert.ok(p[1000]! > 7 && p[1000]! < 13, `median ${p[1000]}`);
  assert.ok(p.every((d) => d >= 0 && d <= 200));
});

test('bad rules throw HR_CHAOS_INVALID_OPTION naming the rule and the option', () => {
  const bad: [FaultRule, RegExp][] = [
    [{ status: 700 }, /faults\[0\]\.status/],
    [{ error: true, hang: true }, /at most one/],
    [{ probability: 0.5 } as FaultRule, /give a latency/],
    [{ error: true, probability: 2 }, /faults\[0\]\.probability/],
    [{ latency: { uniform: [5, 1] } }, /faults\[0\]\.latency\.uniform/],
    [{ error: true, schedule: { kind: 'sometimes' } as never }, /faults\[0\]\.schedule\.kind/],
  ];
  for (const [rule, message] of bad) {
    assert.throws(
      () => new FaultInjector({ faults: [rule] }),
      (e: unknown) => isHeadroomError(e) && message.test((e as Error).message),
      JSON.stringify(rule),
    );
  }
});

test('withFaults wraps any async function, keyed by its first argument', async () => {
  const { chaos } = injector([{ error: true, select: { keys: ['bad'] } }]);
  const load = withFaults(async (id: string) => `user ${id}`, chaos);
  assert.equal(await load('good'), 'user good');
  await assert.rejects(load('bad'), InjectedFaultError);
});
