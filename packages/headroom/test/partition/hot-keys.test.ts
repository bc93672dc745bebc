import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { CountMinSketch, HotKeyDetector, HotKeyPolicy, HotKeyRouter, SpaceSaving, VnodeRing } from '../../src/partition/index.js';

const code = (c: string) => (e: unknown) => isHeadroomError(e, c);

test('property: space-saving bounds — count − error ≤ true ≤ count, Σcounts = stream weight, every key above W/k is tracked', () => {
  const stream = fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom(1, 0.5, 2.25)), { maxLength: 600 });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 16 }), stream, (k, items) => {
      const top = new SpaceSaving(k);
      const truth = new Map<string, number>();
      let total = 0;
      for (const [id, w] of items) {
        const key = `k${id}`;
        top.add(key, w);
        truth.set(key, (truth.get(key) ?? 0) + w);
        total += w;
      }
      const entries = top.top();
      const sum = entries.reduce((s, e) => s + e.count, 0);
      assert.ok(Math.abs(sum - total) < 1e-9);
      for (const e of entries) {
        const t = truth.get(e.key) ?? 0;
        assert.ok(e.count - e.error <= t + 1e-9 && t <= e.count + 1e-9, `${e.key}: ${t} vs ${e.count}±${e.error}`);
      }
      for (const [key, t] of truth) if (t > total / k) assert.ok(top.count(key) > 0, `${key} (${t} > ${total / k}) must be tracked`);
      for (let i = 1; i < entries.length; i++) assert.ok(entries[i - 1]!.count >= entries[i]!.count);
    }),
    { numRuns: 400, seed: 111 },
  );
});

test('property: count-min never underestimates', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 2000 }), (ids) => {
      const cms = new CountMinSketch({ width: 64, depth: 3 });
      const truth = new Map<string, number>();
      for (const id of ids) {
        cms.add(`k${id}`);
        truth.set(`k${id}`, (truth.get(`k${id}`) ?? 0) + 1);
      }
      for (const [key, t] of truth) assert.ok(cms.estimate(key) >= t);
    }),
    { numRuns: 200, seed: 112 },
  );
});

test('count-min error: with width 272 (ε = e/272 ≈ 1%) and depth 3 (δ = e⁻³ ≈ 5%), N = 50,000 Zipf-ish updates', () => {
  const width = 272;
  const cms = new CountMinSketch({ width, depth: 3, seed: 7 });
  const random = new SeededRandom(113);
  const truth = new Map<string, number>();
  const N = 50_000;
  for (let i = 0; i < N; i++) {
    const id = Math.floor(5000 * random.next() ** 3); // skewed: small ids are hot
    cms.add(`k${id}`);
    truth.set(`k${id}`, (truth.get(`k${id}`) ?? 0) + 1);
  }
  const epsN = (Math.E / width) * N;
  let bad = 0;
  for (const [key, t] of truth) if (cms.estimate(key) - t > epsN) bad++;
  const keys = truth.size;
  const delta = Math.exp(-3);
  // Each key exceeds εN with probability ≤ δ; allow 5σ of a binomial(keys, δ) above the mean.
  assert.ok(bad <= keys * delta + 5 * Math.sqrt(keys * delta * (1 - delta)), `${bad} of ${keys} keys off by more than εN`);
});

test('detector: a 200/s key among 50/s of background is hot, its rate is estimated, and it cools after traffic stops', async () => {
  const clock = new VirtualClock();
  const hot = new HotKeyDetector({ clock, halfLife: 2000, hotShare: 0.05, minRatePerSec: 20 });
  const random = new SeededRandom(114);
  // 60 s of traffic in 10 ms steps: "a" twice per step (200/s), one background key per 20 ms (50/s over 10,000 keys).
  for (let step = 0; step < 6000; step++) {
    hot.record('a');
    hot.record('a');
    if (step % 2 === 0) hot.record(`bg:${random.int(10_000)}`);
    await clock.advanceBy(10);
  }
  assert.ok(hot.isHot('a'));
  assert.ok(!hot.isHot('bg:1'));
  // After 30 half-lives of steady traffic the decayed estimate is within 1% of the true rate (sketch error aside).
  assert.ok(Math.abs(hot.ratePerSec('a') - 200) < 4, `rate ${hot.ratePerSec('a')}`);
  assert.ok(Math.abs(hot.totalRatePerSec() - 250) < 5, `total ${hot.totalRatePerSec()}`);
  const [first] = hot.top(3);
  assert.equal(first!.key, 'a');
  assert.ok(Math.abs(first!.share - 0.8) < 0.02, `share ${first!.share}`);
  // Silence: after 4 half-lives the rate is 200/16 = 12.5/s < minRatePerSec, so not hot any more.
  await clock.advanceBy(8000);
  assert.ok(Math.abs(hot.ratePerSec('a') - 12.5) < 0.5);
  assert.ok(!hot.isHot('a'));
});

test('detector: forward-decay landmarks move over long runs without overflow (1 h at half-life 1 s)', async () => {
  const clock = new VirtualClock();
  const hot = new HotKeyDetector({ clock, halfLife: 1000, minRatePerSec: 1 });
  for (let s = 0; s < 3600; s++) {
    for (let i = 0; i < 10; i++) hot.record('steady');
    await clock.advanceBy(1000);
  }
  const rate = hot.ratePerSec('steady');
  assert.ok(Number.isFinite(rate) && rate > 5 && rate < 15, `rate ${rate}`);
  assert.ok(hot.isHot('steady'));
});

test('detector options are validated', () => {
  assert.throws(() => new HotKeyDetector({ halfLife: 0 }), code('HR_CORE_INVALID_DURATION'));
  assert.throws(() => new HotKeyDetector({ hotShare: 2 }), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => new HotKeyDetector({ minRatePerSec: -1 }), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => new SpaceSaving(0), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => new CountMinSketch({ width: 3 }), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => new HotKeyDetector().record(5 as unknown as string), code('HR_PARTITION_INVALID_KEY'));
});

test("router: a hot key's reads spread over its replicas, writes reach all replicas, salted writes and gathers cover every sub-key", async () => {
  const clock = new VirtualClock();
  const ring = new VnodeRing(Array.from({ length: 10 }, (_, i) => `n${i}`));
  const detector = new HotKeyDetector({ clock, halfLife: 1000, hotShare: 0.2, minRatePerSec: 10 });
  const router = new HotKeyRouter(ring, detector, { random: new SeededRandom(115), readReplicas: 3, writeFanout: 4, cooldown: '5s' });
  // Cold: owner only.
  assert.equal(router.read('cold'), ring.locate('cold'));
  assert.deepEqual(router.write('cold'), [ring.locate('cold')]);
  assert.deepEqual(router.writeSalted('cold'), { key: 'cold', node: ring.locate('cold') });
  // Heat "p" up: 100 reads/s for 5 s.
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    seen.add(router.read('p'));
    await clock.advanceBy(10);
  }
  assert.ok(router.isSpread('p'));
  const replicas = ring.locateN('p', 3);
  assert.ok(
    [...seen].every((n) => replicas.includes(n)),
    'reads land on replicas (the owner, replicas[0], before it got hot)',
  );
  assert.ok(
    replicas.every((r) => seen.has(r)),
    'every replica serves reads',
  );
  assert.deepEqual(router.write('p'), replicas);
  const subKeys = router.policy.saltedTargets('p');
  assert.deepEqual(
    subKeys.map((t) => t.key),
    ['p#0', 'p#1', 'p#2', 'p#3'],
  );
  assert.ok(subKeys.every((t) => t.node === ring.locate(t.key)));
  const used = new Set<string>();
  for (let i = 0; i < 200; i++) used.add(router.writeSalted('p').key);
  assert.equal(used.size, 4, 'salted writes use every sub-key');
  assert.deepEqual(
    router.readSalted('p').map((t) => t.key),
    ['p', 'p#0', 'p#1', 'p#2', 'p#3'],
  );
  // Traffic stops: the key stays spread through its cooldown, then returns to its owner.
  await clock.advanceBy(4000);
  assert.ok(router.isSpread('p'));
  await clock.advanceBy(10_000);
  assert.ok(!router.isSpread('p'));
  assert.equal(router.read('p'), ring.locate('p'));
});

test('router: after a membership change spread keys keep spreading over the new replicas', async () => {
  const clock = new VirtualClock();
  const ring = new VnodeRing(['a', 'b', 'c', 'd']);
  const router = new HotKeyRouter(ring, new HotKeyDetector({ clock, hotShare: 0.5, minRatePerSec: 1 }), {
    random: new SeededRandom(116),
    readReplicas: 2,
  });
  for (let i = 0; i < 100; i++) {
    router.read('x');
    await clock.advanceBy(10);
  }
  assert.ok(router.isSpread('x'));
  const bigger = ring.withNode('e');
  router.usePartitioner(bigger);
  assert.deepEqual(router.write('x'), bigger.locateN('x', 2));
  assert.throws(() => new HotKeyPolicy(ring, { writeFanout: 1 }), code('HR_PARTITION_INVALID_OPTION'));
  for (const cooldown of [-1, '5 minutes']) {
    assert.throws(
      () => new HotKeyRouter(ring, new HotKeyDetector({ clock }), { random: new SeededRandom(1), cooldown }),
      (e: unknown) => code('HR_CORE_INVALID_DURATION')(e) && /cooldown/.test((e as Error).message),
    );
  }
  assert.throws(
    () => new HotKeyDetector({ clock, halfLife: 0 }),
    (e: unknown) => code('HR_CORE_INVALID_DURATION')(e) && /halfLife/.test((e as Error).message),
  );
  assert.equal(new HotKeyPolicy(new VnodeRing(['a', 'b'])).readReplicas, 2, 'replicas clamp to the node count');
});

test('policy: the replica count asked for survives membership changes — clamped to the nodes there are, restored when nodes come back', () => {
  const one = new HotKeyPolicy(new VnodeRing(['a']), { readReplicas: 3 });
  assert.equal(one.readReplicas, 1, 'a single node: one replica');
  // Before: the clamped 1 was passed on as the requested count and refused ('use an integer ≥ 2').
  const three = one.withPartitioner(new VnodeRing(['a', 'b', 'c', 'd']));
  assert.equal(three.readReplicas, 3);
  assert.equal(new Set(three.replicas('k')).size, 3);
  // Before: a policy made on two nodes kept 2 replicas after growing to four.
  assert.equal(new HotKeyPolicy(new VnodeRing(['a', 'b'])).withPartitioner(new VnodeRing(['a', 'b', 'c', 'd'])).readReplicas, 3);
});
