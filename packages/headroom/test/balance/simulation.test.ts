/**
 * Every picker through the whole balancer in virtual time: an open loop of requests against three
 * endpoints whose service times are 10, 10 and 100 ms (one 10× slower), with a seeded Random.
 * Each case prints its distribution table on failure and checks what the picker promises.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { sleep } from '../../src/core/clock.js';
import {
  Balancer,
  hashAffinity,
  leastLoaded,
  outstanding,
  p2c,
  peakEwma,
  roundRobin,
  uniformRandom,
  weightedRandom,
  weightedRoundRobin,
  type EndpointSpec,
  type LoadMetricFactory,
  type PickerFactory,
} from '../../src/balance/index.js';
import { binomialCheck } from './fake-candidates.js';

const N = 2_000;
const GAP_MS = 5; // 200 requests/s offered
const SERVICE_MS = [10, 10, 100];

async function simulate(picker: PickerFactory, load: LoadMetricFactory, weights: number[], seed = 1): Promise<number[]> {
  const clock = new VirtualClock();
  const endpoints: EndpointSpec<number>[] = weights.map((weight, i) => ({ id: `e${i}`, target: i, weight }));
  const balancer = new Balancer<number>({ endpoints, picker, load, outlier: false, clock, random: new SeededRandom(seed) });
  const counts = weights.map(() => 0);
  const calls: Promise<unknown>[] = [];
  for (let k = 0; k < N; k++) {
    clock.setTimer(k * GAP_MS, () => {
      calls.push(
        balancer.call(
          async (ep) => {
            counts[ep.target]!++;
            await sleep(clock, SERVICE_MS[ep.target]!);
          },
          { key: `user:${k % 500}` },
        ),
      );
    });
  }
  await clock.advanceBy(N * GAP_MS + 1_000);
  await Promise.all(calls);
  balancer.close();
  if (process.env['PRINT_SIM']) console.log(picker.name, load.name, weights.join(','), seed, counts.join(' '));
  return counts;
}

const table = (counts: number[]): string =>
  counts.map((c, i) => `e${i} (${SERVICE_MS[i]} ms): ${c} = ${((100 * c) / N).toFixed(1)} %`).join('\n');

test('round-robin: exactly 1/3 each, the slow one included', async () => {
  const counts = await simulate(roundRobin(), outstanding(), [1, 1, 1]);
  for (const c of counts) assert.ok(Math.abs(c - N / 3) <= 1, table(counts));
});

test('smooth weighted RR {2,1,1}: exactly 1/2, 1/4, 1/4', async () => {
  const counts = await simulate(weightedRoundRobin(), outstanding(), [2, 1, 1]);
  assert.deepEqual(counts, [N / 2, N / 4, N / 4], table(counts));
});

test('random and weighted random {1,1,1} and {1,2,1}: binomial shares (5σ, N = 2,000)', async () => {
  for (const [picker, weights, shares] of [
    [uniformRandom(), [1, 2, 1], [1, 1, 1]],
    [weightedRandom(), [1, 1, 1], [1, 1, 1]],
    [weightedRandom(), [1, 2, 1], [1, 2, 1]],
  ] as const) {
    const counts = await simulate(picker, outstanding(), [...weights]);
    const { ok, table: t } = binomialCheck(counts, [...shares]);
    assert.ok(ok, `${picker.name} weights ${weights}\n${t}`);
  }
});

test('least-outstanding and P2C over outstanding send the slow endpoint less than its 1/3', async () => {
  for (const picker of [leastLoaded(), p2c()]) {
    const counts = await simulate(picker, outstanding(), [1, 1, 1]);
    assert.ok(counts[2]! < N / 4, `${picker.name}\n${table(counts)}`);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      N,
    );
  }
});

test('P2C + peak-EWMA sends < 10 % to the 10× slower endpoint (and keeps probing it)', async () => {
  for (const seed of [1, 2, 3]) {
    const counts = await simulate(p2c(), peakEwma(), [1, 1, 1], seed);
    assert.ok(counts[2]! < N / 10, `seed ${seed}\n${table(counts)}`);
    assert.ok(counts[2]! > 0, 'the slow endpoint is still probed');
  }
  const full = await simulate(leastLoaded(), peakEwma(), [1, 1, 1]);
  assert.ok(full[2]! < N / 10, `least-loaded + peak-EWMA\n${table(full)}`);
});

test('hash affinity: 500 keys placed by the ring, every request of a key on one endpoint while under the bound', async () => {
  const counts = await simulate(hashAffinity({ loadFactor: 2 }), outstanding(), [1, 1, 1]);
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    N,
  );
  for (const c of counts) assert.ok(c > N / 10, table(counts));
});
