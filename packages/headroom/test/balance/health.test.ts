import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { Balancer, roundRobin, outstanding, type BalancerOptions, type Endpoint } from '../../src/balance/index.js';

const T0 = 1_000_000;
type Mode = 'ok' | 'fail' | 'false' | 'hang';

function setup(ids: string[], health: Partial<NonNullable<BalancerOptions['health']>>, extra: Partial<BalancerOptions> = {}) {
  const clock = new VirtualClock({ startMs: T0 });
  const mode = new Map<string, Mode>(ids.map((id) => [id, 'ok']));
  const probes = new Map<string, number[]>(ids.map((id) => [id, []]));
  const aborts: unknown[] = [];
  const log: string[] = [];
  const probe = (ep: Endpoint, signal: AbortSignal): unknown => {
    probes.get(ep.id)!.push(clock.now() - T0);
    const m = mode.get(ep.id)!;
    if (m === 'fail') return Promise.reject(new Error(`${ep.id} down`));
    if (m === 'false') return false;
    if (m === 'hang') {
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => {
          aborts.push(signal.reason);
          reject(signal.reason);
        }),
      );
    }
    return Promise.resolve();
  };
  const balancer = new Balancer({
    endpoints: ids,
    picker: roundRobin(),
    load: outstanding(),
    outlier: false,
    clock,
    random: new SeededRandom(5),
    health: { probe, interval: 1_000, jitterPercent: 10, timeout: 200, healthyThreshold: 2, unhealthyThreshold: 3, ...health },
    ...extra,
  });
  balancer.on((e) => {
    const at = e.atMs - T0;
    if (e.type === 'health')
      log.push(`${Math.round(at)} ${e.endpoint.id} ${e.healthy ? 'healthy' : `unhealthy (${(e.error as Error).message.slice(0, 24)})`}`);
    if (e.type === 'panic') log.push(`${Math.round(at)} panic ${e.active} ${e.healthy}/${e.total}`);
  });
  const picks = (n: number): string[] => Array.from({ length: n }, () => balancer.pick()?.id ?? '-');
  return { clock, balancer, mode, probes, log, aborts, picks };
}

test('active checks: first probe within the jitter window, then every interval ± 10 %', async () => {
  const { clock, balancer, probes } = setup(['a', 'b', 'c'], {});
  await clock.advanceBy(20_000);
  for (const [id, times] of probes) {
    assert.ok(times[0]! >= 0 && times[0]! <= 100, `${id} first probe at ${times[0]}`);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert.ok(gaps.length >= 18, `${id}: ${gaps.length} gaps`);
    for (const gap of gaps) assert.ok(gap >= 900 && gap <= 1_100, `${id} gap ${gap}`);
    assert.ok(new Set(gaps.map(Math.round)).size > 5, 'intervals are jittered, not constant');
  }
  balancer.close();
  assert.equal(clock.pendingTimers, 0);
});

test('active checks: unhealthy after 3 failed probes in a row, healthy again after 2 passes; excluded meanwhile', async () => {
  const { clock, balancer, mode, probes, log, picks } = setup(['a', 'b', 'c'], {});
  await clock.advanceBy(1_500);
  mode.set('b', 'fail');
  await clock.advanceBy(2_000);
  assert.equal(log.length, 0, 'two failures are not enough');
  await clock.advanceBy(1_000);
  assert.equal(log.length, 1);
  assert.match(log[0]!, /^\d+ b unhealthy \(b down\)$/);
  const failedAt = Number(log[0]!.split(' ')[0]);
  assert.equal(failedAt, Math.round(probes.get('b')!.at(-1)!));
  assert.ok(!picks(30).includes('b'));
  mode.set('b', 'ok');
  await clock.advanceBy(2_300);
  assert.equal(log.length, 2);
  assert.match(log[1]!, /^\d+ b healthy$/);
  assert.ok(picks(30).includes('b'));
  balancer.close();
});

test('active checks: a probe that hangs fails at the timeout with its signal aborted (HR_BALANCE_PROBE_TIMEOUT); false fails too', async () => {
  const { clock, balancer, mode, log, aborts } = setup(['a', 'b'], { unhealthyThreshold: 2 });
  mode.set('a', 'hang');
  mode.set('b', 'false');
  await clock.advanceBy(2_500);
  assert.ok(aborts.length >= 2);
  assert.ok(aborts.every((r) => isHeadroomError(r, 'HR_BALANCE_PROBE_TIMEOUT')));
  assert.deepEqual(
    log
      .filter((l) => !l.includes('panic'))
      .map((l) => l.replace(/^\d+ /, ''))
      .sort(),
    ['a unhealthy (Health probe of "a" did )', 'b unhealthy (Health probe of "b" repo)'],
  );
  balancer.close();
  assert.equal(clock.pendingTimers, 0);
});

test('active checks: startHealthy false keeps a new endpoint out until its first probe passes (one pass is enough)', async () => {
  const { clock, balancer, picks, mode } = setup(['a', 'b'], { startHealthy: false, interval: 1_000 });
  mode.set('b', 'fail');
  assert.equal(balancer.snapshot().candidates, 2, 'none healthy yet → panic spreads over all');
  await clock.advanceBy(150);
  assert.deepEqual([...new Set(picks(10))], ['a']);
  balancer.close();
});

test('closing stops probes and aborts an in-flight one', async () => {
  const { clock, balancer, mode, aborts } = setup(['a'], { timeout: 5_000 });
  mode.set('a', 'hang');
  await clock.advanceBy(150);
  balancer.close();
  await clock.advanceBy(0);
  assert.equal(aborts.length, 1);
  assert.ok(isHeadroomError(aborts[0], 'HR_BALANCE_CLOSED'));
  assert.equal(clock.pendingTimers, 0);
});

test('panic threshold: below 50 % healthy, traffic spreads over every endpoint; it ends when enough recover', async () => {
  const { clock, balancer, mode, log, picks } = setup(['a', 'b', 'c', 'd'], { unhealthyThreshold: 1, healthyThreshold: 1 });
  mode.set('a', 'fail');
  mode.set('b', 'fail');
  await clock.advanceBy(150);
  assert.deepEqual(
    log.filter((l) => l.includes('panic')),
    [],
    '2 of 4 healthy is not below 50 %',
  );
  assert.deepEqual([...new Set(picks(20))].sort(), ['c', 'd']);
  mode.set('c', 'fail');
  await clock.advanceBy(1_100);
  assert.ok(
    log.some((l) => / panic true 1\/4$/.test(l)),
    log.join('\n'),
  );
  const spread = picks(400);
  for (const id of ['a', 'b', 'c', 'd']) assert.equal(spread.filter((x) => x === id).length, 100, id);
  mode.set('a', 'ok');
  await clock.advanceBy(1_100);
  assert.ok(
    log.some((l) => / panic false 2\/4$/.test(l)),
    log.join('\n'),
  );
  assert.deepEqual([...new Set(picks(20))].sort(), ['a', 'd']);
  balancer.close();
});

test('panic threshold 0: with every endpoint unhealthy, calls fail with HR_BALANCE_NO_ENDPOINT', async () => {
  const { clock, balancer, mode } = setup(['a', 'b'], { unhealthyThreshold: 1 }, { panicThresholdPercent: 0 });
  mode.set('a', 'fail');
  mode.set('b', 'fail');
  await clock.advanceBy(150);
  await assert.rejects(
    balancer.call(() => 1),
    (e) => isHeadroomError(e, 'HR_BALANCE_NO_ENDPOINT') && /panic threshold is 0/.test((e as Error).message),
  );
  balancer.close();
});
