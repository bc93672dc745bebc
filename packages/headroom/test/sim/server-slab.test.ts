import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/random.js';
import { RegionRandom, ServerSlab } from '../../src/sim/server-slab.js';

test('streams in a slab give the numbers of SeededRandom with their seeds, draw for draw, whatever the order of selection', () => {
  const slab = new ServerSlab();
  const seeds = [0, 1, 42, 0xffffffff, -7, 2 ** 31];
  const regions = seeds.map((seed) => {
    const region = slab.take(8, 4);
    RegionRandom.init(region.i32, 2 * region.base, seed);
    return region;
  });
  const reference = seeds.map((seed) => new SeededRandom(seed));
  const stream = (i: number) => slab.random.select(regions[i]!.i32, 2 * regions[i]!.base);
  for (let k = 0; k < 200; k++) {
    const i = (k * 7) % seeds.length;
    assert.equal(stream(i).next(), reference[i]!.next(), `stream ${i}, draw ${k}: next`);
    assert.equal(stream(i).int(1000 + k), reference[i]!.int(1000 + k), `stream ${i}, draw ${k}: int`);
    assert.equal(stream(i).chance(0.3), reference[i]!.chance(0.3), `stream ${i}, draw ${k}: chance`);
  }
  seeds.forEach((_, i) => {
    assert.equal(stream(i).seed, reference[i]!.seed, `stream ${i}: seed`);
    assert.equal(stream(i).fork('front').next(), reference[i]!.fork('front').next(), `stream ${i}: fork`);
  });
});

test('regions do not overlap, start on a cache line, and a region too large for a chunk gets arrays of its own', () => {
  const slab = new ServerSlab();
  const a = slab.take(12, 4);
  const b = slab.take(12, 4);
  assert.equal(a.f, b.f, 'one chunk');
  assert.equal(b.base - a.base, 16, '12 doubles round up to two cache lines');
  assert.equal(b.jobBase - a.jobBase, 4);
  const big = slab.take(70_000, 2);
  assert.notEqual(big.f, a.f);
  assert.equal(big.base, 0);
  assert.ok(big.f.length >= 70_000);
  assert.throws(() => RegionRandom.init(a.i32, 2 * a.base, 1.5), /seed/);
});
