import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { sleep } from '../../src/core/clock.js';
import { isHeadroomError } from '../../src/core/errors.js';
import {
  Balancer,
  type BalancerOptions,
  roundRobin,
  weightedRoundRobin,
  p2c,
  outstanding,
  peakEwma,
  NoEndpointError,
  type BalanceEvent,
  type Endpoint,
} from '../../src/balance/index.js';

function setup(extra: BalancerOptions<string> = {}) {
  const clock = new VirtualClock();
  const events: BalanceEvent[] = [];
  const balancer = new Balancer({
    endpoints: ['a', 'b', 'c'],
    picker: roundRobin(),
    load: outstanding(),
    outlier: false,
    clock,
    random: new SeededRandom(1),
    ...extra,
  });
  balancer.on((e) => {
    if (e.type !== 'pick') events.push(e);
  });
  return { clock, balancer, events };
}

test('validates options and endpoints with typed errors', () => {
  const code = (fn: () => unknown, expected: string) => assert.throws(fn, (e) => isHeadroomError(e, expected));
  code(() => new Balancer({ endpoints: ['a', 'a'] }), 'HR_BALANCE_DUPLICATE_ENDPOINT');
  code(() => new Balancer({ endpoints: [{ id: 'a', target: 'a', weight: 0 }] }), 'HR_BALANCE_INVALID_OPTION');
  code(() => new Balancer({ endpoints: [''] }), 'HR_BALANCE_INVALID_OPTION');
  code(() => new Balancer({ picker: roundRobin(), slowStart: { window: 1000 } }), 'HR_BALANCE_INVALID_OPTION');
  code(() => new Balancer({ panicThresholdPercent: 150 }), 'HR_BALANCE_INVALID_OPTION');
  code(() => new Balancer({ outlier: { consecutiveErrors: 0 } }), 'HR_BALANCE_INVALID_OPTION');
  code(() => new Balancer({ health: { probe: 'GET /' as never } }), 'HR_BALANCE_INVALID_OPTION');
  const b = new Balancer({ endpoints: ['a'], outlier: false });
  code(() => b.update('zz', { weight: 2 }), 'HR_BALANCE_UNKNOWN_ENDPOINT');
  code(() => b.update('a', { weight: -1 }), 'HR_BALANCE_INVALID_OPTION');
  code(() => b.end({ id: 'a' } as Endpoint, 0, 'success'), 'HR_BALANCE_INVALID_OPTION');
});

test('call(): passes the endpoint and a signal, returns the result and feeds the load metric', async () => {
  const clock = new VirtualClock();
  const balancer = new Balancer({ endpoints: ['a'], load: peakEwma(), outlier: false, clock, random: new SeededRandom(1) });
  const done = balancer.call(async (endpoint, signal) => {
    assert.equal(endpoint.id, 'a');
    assert.equal(endpoint.outstanding, 1);
    assert.equal(signal.aborted, false);
    await sleep(clock, 25);
    return 42;
  });
  await clock.advanceBy(25);
  assert.equal(await done, 42);
  const [snap] = balancer.snapshot().endpoints;
  assert.equal(snap!.outstanding, 0);
  assert.equal(snap!.load, 25, 'peak-EWMA learned the 25 ms round trip');
});

test('call(): an abort rejects at once with signal.reason; the endpoint stays busy until the work settles; not a failure', async () => {
  const { clock, balancer } = setup({ endpoints: ['a'], outlier: { consecutiveErrors: 1, successRate: false } });
  const controller = new AbortController();
  let finish!: () => void;
  const work = new Promise<void>((resolve, reject) => {
    finish = () => reject(new Error('stopped'));
  });
  const call = balancer.call(() => work, { signal: controller.signal });
  const reason = new Error('caller gave up');
  controller.abort(reason);
  await assert.rejects(call, (e) => e === reason);
  assert.equal(balancer.snapshot().endpoints[0]!.outstanding, 1);
  finish();
  await clock.advanceBy(0);
  const [snap] = balancer.snapshot().endpoints;
  assert.equal(snap!.outstanding, 0);
  assert.equal(snap!.ejected, false, 'a cancelled call is not the endpoint failing');
  const pre = new AbortController();
  pre.abort(reason);
  await assert.rejects(
    balancer.call(() => 1, { signal: pre.signal }),
    (e) => e === reason,
  );
});

test('call(): failures count unless isFailure says otherwise; synchronous throws are handled', async () => {
  const notFound = new Error('404');
  const { balancer } = setup({ endpoints: ['a'], outlier: { consecutiveErrors: 2, successRate: false }, isFailure: (e) => e !== notFound });
  await assert.rejects(
    balancer.call(() => {
      throw notFound;
    }),
    (e) => e === notFound,
  );
  await assert.rejects(balancer.call(() => Promise.reject(notFound)));
  assert.equal(balancer.snapshot().endpoints[0]!.consecutiveFailures, 0);
  await assert.rejects(
    balancer.call(() => {
      throw new Error('500');
    }),
  );
  assert.equal(balancer.snapshot().endpoints[0]!.consecutiveFailures, 1);
});

test('call(): NoEndpointError when empty or all draining; KEY_REQUIRED is checked before picking', async () => {
  const { balancer } = setup({ endpoints: [] });
  await assert.rejects(
    balancer.call(() => 1),
    (e) => e instanceof NoEndpointError && /no endpoints/.test(e.message),
  );
  balancer.add('a');
  let release!: () => void;
  const inflight = balancer.call(
    () =>
      new Promise<void>((r) => {
        release = r;
      }),
  );
  const drained = balancer.drain('a');
  await assert.rejects(
    balancer.call(() => 1),
    (e) => isHeadroomError(e, 'HR_BALANCE_NO_ENDPOINT') && /draining/.test((e as Error).message),
  );
  release();
  await inflight;
  await drained;
});

test('draining: no new picks, in-flight requests finish, then the endpoint leaves and drain() resolves', async () => {
  const { clock, balancer, events } = setup();
  const [a] = balancer.endpoints();
  const t1 = balancer.begin(a!);
  const t2 = balancer.begin(a!);
  let drained = false;
  const done = balancer.drain('a').then(() => {
    drained = true;
  });
  for (let k = 0; k < 30; k++) assert.notEqual(balancer.pick()!.id, 'a');
  assert.equal(a!.status, 'draining');
  await clock.advanceBy(5);
  balancer.end(a!, t1, 'success');
  await clock.advanceBy(0);
  assert.equal(drained, false);
  assert.equal(balancer.endpoints().length, 3);
  balancer.end(a!, t2, 'failure');
  await done;
  assert.equal(a!.status, 'removed');
  assert.deepEqual(
    balancer.endpoints().map((e) => e.id),
    ['b', 'c'],
  );
  assert.deepEqual(
    events.map((e) => (e.type === 'membership' ? `${e.change}:${e.endpoint.id}@${e.atMs - 1_000_000}` : e.type)),
    ['draining:a@0', 'removed:a@5'],
  );
  await balancer.drain('b'); // idle: resolves at once
  assert.throws(
    () => balancer.drain('zz'),
    (e) => isHeadroomError(e, 'HR_BALANCE_UNKNOWN_ENDPOINT'),
  );
});

test('drain(): an aborted signal rejects with its reason, close() rejects pending drains', async () => {
  const { balancer } = setup();
  const [a, b] = balancer.endpoints();
  balancer.begin(a!);
  balancer.begin(b!);
  const controller = new AbortController();
  const first = balancer.drain('a', { signal: controller.signal });
  controller.abort(new Error('deadline'));
  await assert.rejects(first, /deadline/);
  const second = balancer.drain('b');
  balancer.close();
  await assert.rejects(second, (e) => isHeadroomError(e, 'HR_BALANCE_CLOSED'));
  await assert.rejects(
    balancer.call(() => 1),
    (e) => isHeadroomError(e, 'HR_BALANCE_CLOSED'),
  );
  assert.throws(
    () => balancer.add('z'),
    (e) => isHeadroomError(e, 'HR_BALANCE_CLOSED'),
  );
});

test('membership: add() and remove() take effect on the next pick; removed in-flight requests end harmlessly', () => {
  const { balancer } = setup();
  const [a] = balancer.endpoints();
  const t = balancer.begin(a!);
  balancer.remove('a');
  const seen = new Set(Array.from({ length: 10 }, () => balancer.pick()!.id));
  assert.deepEqual([...seen].sort(), ['b', 'c']);
  balancer.end(a!, t, 'failure');
  balancer.add({ id: 'd', target: 'd', metadata: { zone: 'z1' } });
  const ids = new Set(Array.from({ length: 10 }, () => balancer.pick()!.id));
  assert.deepEqual([...ids].sort(), ['b', 'c', 'd']);
  assert.deepEqual(balancer.endpoints().find((e) => e.id === 'd')!.metadata, { zone: 'z1' });
  assert.throws(
    () => balancer.add('b'),
    (e) => isHeadroomError(e, 'HR_BALANCE_DUPLICATE_ENDPOINT'),
  );
});

test('update(): a weight change moves the smooth-WRR shares; pick events only while someone listens', () => {
  const { balancer } = setup({ picker: weightedRoundRobin() });
  balancer.update('a', { weight: 3 });
  const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
  const picks: string[] = [];
  const sub = balancer.on((e) => {
    if (e.type === 'pick') picks.push(e.endpoint.id);
  });
  for (let k = 0; k < 50; k++) counts[balancer.pick()!.id]!++;
  sub.dispose();
  balancer.pick();
  assert.deepEqual(counts, { a: 30, b: 10, c: 10 });
  assert.equal(picks.length, 50);
});

test('p2c + outstanding steers away from a busy endpoint', () => {
  const { balancer } = setup({ picker: p2c() });
  const [a] = balancer.endpoints();
  for (let k = 0; k < 5; k++) balancer.begin(a!);
  const ids = Array.from({ length: 200 }, () => balancer.pick()!.id);
  assert.equal(ids.filter((id) => id === 'a').length, 0);
});
