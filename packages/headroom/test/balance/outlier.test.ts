import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import {
  BalancerCore,
  resolveOutlier,
  roundRobin,
  outstanding,
  Balancer,
  type BalanceEvent,
  type BalancerOptions,
  type Endpoint,
  type OutlierOptions,
} from '../../src/balance/index.js';

const T0 = 1_000_000;

function setup(ids: string[], outlier: OutlierOptions | false, extra: Partial<BalancerOptions> = {}) {
  const clock = new VirtualClock({ startMs: T0 });
  const log: string[] = [];
  const balancer = new Balancer({
    endpoints: ids,
    picker: roundRobin(),
    load: outstanding(),
    outlier,
    clock,
    random: new SeededRandom(3),
    ...extra,
  });
  balancer.on((e: BalanceEvent) => {
    const at = e.atMs - T0;
    if (e.type === 'ejection') log.push(`${at} eject ${e.endpoint.id} ${e.reason} for ${e.durationMs}`);
    else if (e.type === 'readmission') log.push(`${at} readmit ${e.endpoint.id}`);
    else if (e.type === 'ejection-refused') log.push(`${at} refuse ${e.endpoint.id} ${e.reason} (${e.ejectedCount}/${e.maxEjected})`);
    else if (e.type === 'panic') log.push(`${at} panic ${e.active}`);
  });
  const byId = (id: string): Endpoint => balancer.endpoints().find((e) => e.id === id)!;
  return { clock, balancer, log, byId };
}

/** `n` requests to `ep` that end at once with `outcome`. */
function results(balancer: Balancer, ep: Endpoint, outcome: 'success' | 'failure', n: number): void {
  for (let k = 0; k < n; k++) balancer.end(ep, balancer.begin(ep), outcome);
}

test('consecutive errors: ejected at the Nth failure in a row; a success resets the streak', () => {
  const { balancer, log, byId } = setup(['a', 'b', 'c'], {
    consecutiveErrors: 3,
    successRate: false,
    ejectionBackoff: { initial: 1_000 },
    maxEjectionPercent: 50,
  });
  results(balancer, byId('a'), 'failure', 2);
  results(balancer, byId('a'), 'success', 1);
  results(balancer, byId('a'), 'failure', 2);
  assert.deepEqual(log, []);
  results(balancer, byId('a'), 'failure', 1);
  assert.deepEqual(log, ['0 eject a consecutive-errors for 1000']);
  assert.ok(byId('a').ejected);
  for (let k = 0; k < 20; k++) assert.notEqual(balancer.pick()!.id, 'a');
});

test('ejection timeline: readmitted on time by the clock alone; each re-ejection lasts longer, capped; quiet time forgives', async () => {
  const { clock, balancer, log, byId } = setup(['a', 'b', 'c'], {
    consecutiveErrors: 2,
    successRate: false,
    ejectionBackoff: { initial: 1_000, max: 2_500 },
    maxEjectionPercent: 50,
  });
  const a = byId('a');
  results(balancer, a, 'failure', 2); // t=0: 1st ejection, 1 s
  await clock.advanceBy(999);
  assert.ok(a.ejected);
  await clock.advanceBy(1); // t=1000: readmitted by its timer, no pick needed
  assert.ok(!a.ejected);
  results(balancer, a, 'failure', 2); // t=1000: 2nd, 2 s
  await clock.advanceTo(T0 + 3_000); // readmit
  results(balancer, a, 'failure', 2); // t=3000: 3rd, 4 s (×2 per ejection) capped at 2.5 s
  await clock.advanceTo(T0 + 5_500); // readmit
  await clock.advanceTo(T0 + 7_500); // 2 s in service forgive two of three ejections
  results(balancer, a, 'failure', 2); // t=7500: counts as the 2nd → 2 s
  await clock.advanceTo(T0 + 20_000);
  assert.deepEqual(log, [
    '0 eject a consecutive-errors for 1000',
    '1000 readmit a',
    '1000 eject a consecutive-errors for 2000',
    '3000 readmit a',
    '3000 eject a consecutive-errors for 2500',
    '5500 readmit a',
    '7500 eject a consecutive-errors for 2000',
    '9500 readmit a',
  ]);
  assert.equal(clock.pendingTimers, 0, 'no timer left behind');
});

test('the synchronous core readmits lazily on pick when driven with a later now (no timers at all)', () => {
  const woken: number[] = [];
  const core = new BalancerCore<string>({
    picker: roundRobin(),
    load: outstanding(),
    random: new SeededRandom(1),
    panicThresholdPercent: 50,
    slowStart: undefined,
    outlier: resolveOutlier({ consecutiveErrors: 1, successRate: false, ejectionBackoff: { initial: 100 }, maxEjectionPercent: 50 }),
    health: { healthy: 1, unhealthy: 1 },
    initiallyHealthy: true,
    onRemoved: () => {},
    wake: (at) => woken.push(at),
  });
  const a = core.add({ id: 'a', target: 'a' }, 1, T0, false);
  core.add({ id: 'b', target: 'b' }, 1, T0, false);
  core.begin(a, T0);
  core.end(a, T0, 3, 'failure');
  assert.deepEqual(woken, [T0 + 100], 'the driver is asked to wake at the readmission time');
  assert.deepEqual([core.pick(T0 + 50, undefined)!.id, core.pick(T0 + 60, undefined)!.id], ['b', 'b']);
  assert.equal(a.ejected, true);
  const seen = new Set([core.pick(T0 + 100, undefined)!.id, core.pick(T0 + 100, undefined)!.id]);
  assert.equal(a.ejected, false);
  assert.deepEqual([...seen].sort(), ['a', 'b']);
});

test('max ejection %: at most ⌊n·p⌋ (at least one) ejected; refusals are reported once per streak', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `n${i}`);
  const { balancer, log, byId } = setup(ids, {
    consecutiveErrors: 2,
    successRate: false,
    maxEjectionPercent: 20,
    ejectionBackoff: { initial: 1_000 },
  });
  for (const id of ['n0', 'n1', 'n2']) results(balancer, byId(id), 'failure', 4);
  assert.deepEqual(log, [
    '0 eject n0 consecutive-errors for 1000',
    '0 eject n1 consecutive-errors for 1000',
    '0 refuse n2 consecutive-errors (2/2)',
  ]);
  const tiny = setup(['x', 'y', 'z'], { consecutiveErrors: 1, successRate: false }); // 10 % of 3 → still one
  results(tiny.balancer, tiny.byId('x'), 'failure', 1);
  results(tiny.balancer, tiny.byId('y'), 'failure', 1);
  assert.deepEqual(tiny.log, ['0 eject x consecutive-errors for 30000', '0 refuse y consecutive-errors (1/1)']);
});

test('success-rate outlier: evaluated every interval among endpoints with enough volume (mean − 1.9σ)', async () => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const { clock, balancer, log, byId } = setup(ids, {
    consecutiveErrors: false,
    interval: 10_000,
    maxEjectionPercent: 50,
    ejectionBackoff: { initial: 5_000 },
    successRate: { minimumHosts: 5, requestVolume: 100, stdevFactor: 1.9 },
  });
  // Interval 1: only four endpoints have volume → no verdict even though 'a' is bad.
  for (const id of ['a', 'b', 'c', 'd']) results(balancer, byId(id), 'success', 100);
  results(balancer, byId('a'), 'failure', 100);
  await clock.advanceBy(10_000);
  assert.deepEqual(log, []);
  // Interval 2: six endpoints with volume; 'a' at 50 % against 99–100 % peers.
  for (const id of ids) results(balancer, byId(id), 'success', id === 'b' ? 99 : 100);
  results(balancer, byId('b'), 'failure', 1);
  results(balancer, byId('a'), 'failure', 100);
  await clock.advanceBy(10_000);
  assert.deepEqual(log, ['20000 eject a success-rate for 5000']);
  await clock.advanceBy(5_000);
  assert.deepEqual(log.at(-1), '25000 readmit a');
  balancer.close();
  assert.equal(clock.pendingTimers, 0);
});

test("latency outlier: an endpoint whose p99 exceeds 3 × its peers' median is ejected at the interval", async () => {
  const { clock, balancer, log, byId } = setup(['a', 'b', 'c', 'd'], {
    consecutiveErrors: false,
    successRate: false,
    interval: 1_000,
    maxEjectionPercent: 50,
    ejectionBackoff: { initial: 1_000 },
    latency: { percentile: 99, factor: 3, minLatency: 5, minimumHosts: 3, requestVolume: 50 },
  });
  // Each request is begun and ended with a start time `latencyMs` in the past (no virtual time passes).
  const serve = (id: string, latencyMs: number, n: number): void => {
    const ep = byId(id);
    for (let k = 0; k < n; k++) {
      balancer.begin(ep);
      balancer.end(ep, clock.now() - latencyMs, 'success');
    }
  };
  // 'd' is 10× slower, 'c' 2× (under the factor). Interval 1: d has too few samples to be judged.
  serve('a', 2, 60);
  serve('b', 2, 60);
  serve('c', 4, 60);
  serve('d', 20, 10);
  await clock.advanceTo(T0 + 1_000);
  assert.deepEqual(log, []);
  serve('a', 2, 60);
  serve('b', 2, 60);
  serve('c', 4, 60);
  serve('d', 20, 60);
  await clock.advanceTo(T0 + 2_000);
  assert.deepEqual(log, ['2000 eject d latency for 1000']);
  balancer.close();
});
