/**
 * Deterministic aperture: the slice width formula, connections per client (1,000 × 1,000 →
 * 12,000), the ring covered evenly, and the load each server gets from 1,000 clients picking
 * through the real picker — its max/mean within the binomial sampling bound, where a random
 * aperture's connection counts spread binomially.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/random.js';
import { aperture, apertureSlice } from '../../src/balance/index.js';
import { FakeCandidates } from './fake-candidates.js';

test('width = ⌈A·C/S⌉ / C: enough servers per client, and the clients cover the ring a whole number of times', () => {
  assert.equal(apertureSlice({ index: 0, count: 1000 }, 1000).width, 12 / 1000);
  assert.equal(apertureSlice({ index: 0, count: 1000 }, 300).width, 40 / 1000);
  assert.equal(apertureSlice({ index: 3, count: 10 }, 1000).width, 1 / 10, '⌈12·10/1000⌉ = 1 client unit: 100 servers each');
  assert.equal(apertureSlice({ index: 0, count: 5 }, 8).width, 1, 'fewer servers than the minimum: the whole ring');
  assert.throws(() => apertureSlice({ index: 5, count: 5 }, 8), /coordinate\.index/);
  assert.throws(() => aperture({ coordinate: { index: 0, count: 0 } }), /coordinate\.count/);
});

for (const [clients, servers] of [
  [1000, 1000],
  [1000, 300],
  [37, 1000],
] as const) {
  test(`${clients} clients × ${servers} servers: connections per client bounded, every server covered the same`, () => {
    const coverage = new Float64Array(servers);
    let connections = 0;
    for (let i = 0; i < clients; i++) {
      const s = apertureSlice({ index: i, count: clients }, servers);
      assert.ok(s.servers >= Math.min(12, servers), `client ${i}: ${s.servers} servers`);
      assert.ok(s.servers <= Math.ceil(s.width * servers) + 1, `client ${i}: ${s.servers} servers for width ${s.width}`);
      connections += s.servers;
      // Exact coverage of each server unit by this slice.
      for (let k = 0; k < s.servers; k++) {
        const j = (s.first + k) % servers;
        const lo = j / servers;
        const hi = (j + 1) / servers;
        for (const shift of [0, 1]) {
          const a = Math.max(lo + shift, s.offset);
          const b = Math.min(hi + shift, s.offset + s.width);
          if (b > a) coverage[j]! += (b - a) * servers;
        }
      }
    }
    const times = Math.ceil((Math.min(12, servers) * clients) / servers);
    for (const c of coverage) assert.ok(Math.abs(c - times) < 1e-6, `each server covered ${times} times, got ${c}`);
    if (clients === 1000 && servers === 1000) assert.equal(connections, 12_000);
    assert.ok(connections <= clients * (Math.ceil((times / clients) * servers) + 1));
  });
}

test('1,000 clients × 1,000 servers: per-server load from the real pickers stays within the binomial bound', () => {
  const clients = 1000;
  const servers = 1000;
  const perClient = 200;
  const c = new FakeCandidates(Array.from({ length: servers }, () => 1));
  const counts = new Float64Array(servers);
  const root = new SeededRandom(11);
  for (let i = 0; i < clients; i++) {
    const picker = aperture({ coordinate: { index: i, count: clients } }).create({ random: root.fork(`c${i}`) });
    for (let k = 0; k < perClient; k++) counts[picker.pick(c, 0, undefined)]!++;
  }
  const mean = (clients * perClient) / servers;
  const max = Math.max(...counts);
  // Each server's count is a sum of binomials with total mean 200 (every server is covered exactly
  // 12 times); its spread is at most that of Binomial(N, 1/S): σ = sqrt(mean·(1 − 1/S)). A union
  // bound over 1,000 servers at z = 4.5 fails with probability < 1,000 · 3.4·10⁻⁶.
  const bound = 1 + (4.5 * Math.sqrt(mean * (1 - 1 / servers))) / mean;
  assert.ok(max / mean <= bound, `max/mean ${(max / mean).toFixed(3)} > ${bound.toFixed(3)}`);
  assert.ok(Math.min(...counts) > 0, 'every server gets traffic');
  // A random aperture (12 servers per client drawn at random) spreads connections binomially:
  // Binomial(1,000, 12/1,000) per server — some get ~2× the mean, some none.
  const random = new SeededRandom(12);
  const conns = new Float64Array(servers);
  for (let i = 0; i < clients; i++) {
    const chosen = new Set<number>();
    while (chosen.size < 12) chosen.add(random.int(servers));
    for (const j of chosen) conns[j]!++;
  }
  assert.ok(Math.max(...conns) / 12 > 1.5, `random aperture max/mean connections ${Math.max(...conns) / 12}`);
});

test('P2C inside the slice: the less loaded of the two drawn wins', () => {
  const loads = Array.from({ length: 100 }, (_, i) => (i === 10 ? 0 : 10));
  const c = new FakeCandidates(
    Array.from({ length: 100 }, () => 1),
    loads,
  );
  // Client 0 of 10: slice [0, 0.2) → candidates e0…e19 (ids sort as strings, so the ring order is e0, e1, e10, …).
  const picker = aperture({ coordinate: { index: 0, count: 10 } }).create({ random: new SeededRandom(2) });
  const seen = new Set<number>();
  let fives = 0;
  for (let k = 0; k < 2000; k++) {
    const i = picker.pick(c, 0, undefined);
    seen.add(i);
    if (i === 10) fives++;
  }
  assert.ok(seen.size <= 21, `stays in its slice: ${seen.size} servers`);
  assert.ok(fives > 2000 * 0.05, `the idle server in the slice wins whenever drawn: ${fives}`);
});
