/**
 * Ketama compatibility. The fixtures ship with the `hashring` package (tests/fixtures) and were
 * produced by the C libraries themselves:
 * - ketama.txt: libketama through its Python binding, servers 0.0.0.1..5 with weights 1..5;
 * - pylibmc.txt: libmemcached through pylibmc, five servers with mixed ports (11211 is left out of the hash);
 * - libmemcached.json: libmemcached's own ketama test vectors (key, key hash, continuum point, server).
 * We also compare with `hashring` itself, key for key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import HashRing from 'hashring';
import { isHeadroomError } from '../../src/core/errors.js';
import { KetamaRing, WeightTooSmallError, ketamaDigestCount, ketamaHash, md5Into } from '../../src/partition/index.js';

const fixtures = `${createRequire(import.meta.url)
  .resolve('hashring')
  .replace(/index\.js$/, '')}tests/fixtures/`;
const lines = (file: string): string[] => readFileSync(fixtures + file, 'utf8').split('\n');

for (const formula of ['libmemcached', 'libketama', 'hashring'] as const) {
  test(`libketama vectors (100,000 keys, weighted) — pointsFormula ${formula}`, () => {
    const ring = new KetamaRing(
      [1, 2, 3, 4, 5].map((w) => ({ id: `0.0.0.${w}`, weight: w })),
      { pointsFormula: formula },
    );
    const expected = lines('ketama.txt');
    for (let i = 0; i < 100_000; i++) assert.equal(`${i} ${ring.locate(String(i))}`, expected[i]);
  });
}

test('libmemcached vectors via pylibmc (100,000 keys, default port 11211 left out of the hash)', () => {
  const ring = new KetamaRing(['0.0.0.1:11211', '0.0.0.2:11211', '0.0.0.3', '0.0.0.4:11213', '0.0.0.5:11212'], { defaultPort: 11211 });
  const expected = lines('pylibmc.txt');
  for (let i = 0; i < 100_000; i++) assert.equal(`${i} ${ring.locate(String(i))}`, expected[i]);
});

test("libmemcached's own ketama test vectors: key hash, continuum point and server (weighted)", () => {
  const vectors = JSON.parse(readFileSync(`${fixtures}libmemcached.json`, 'utf8')) as [string, number, number, string][];
  const weights = [600, 300, 200, 350, 1000, 800, 950, 100];
  const ring = new KetamaRing(
    weights.map((w, i) => ({ id: `10.0.1.${i + 1}:11211`, weight: w })),
    { defaultPort: 11211 },
  );
  assert.equal(vectors.length, 99);
  for (const [key, hash, point, server] of vectors) {
    assert.equal(ring.hashOf(key), hash, key);
    assert.equal(ring.continuum.points[ring.continuum.find(hash)], point, key);
    assert.equal(ring.locate(key), `${server}:11211`, key);
  }
  // "VDEAAAAA" hashes past the last point: the lookup wraps to the first.
  assert.equal(ring.continuum.find(ring.hashOf('VDEAAAAA')), 0);
});

test('property: same server list and weights → same server as the hashring package', () => {
  const server = fc.tuple(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 1, max: 254 }), fc.integer({ min: 1, max: 20 }));
  fc.assert(
    fc.property(
      fc.uniqueArray(server, { minLength: 1, maxLength: 30, selector: ([a, b]) => `${a}.${b}` }),
      fc.array(fc.string(), { minLength: 1, maxLength: 50 }),
      (servers, keys) => {
        const spec = servers.map(([a, b, w]) => ({ id: `10.0.${a}.${b}:11211`, weight: w }));
        const ours = new KetamaRing(spec, { pointsFormula: 'hashring' });
        const theirs = new HashRing(Object.fromEntries(spec.map((s) => [s.id, s.weight])));
        for (const key of keys) assert.equal(ours.locate(key), uncached(theirs, key), `key ${JSON.stringify(key)}`);
      },
    ),
    { numRuns: 150, seed: 61 },
  );
});

/**
 * hashring's continuum lookup without its result cache: the cache is a plain object, so keys
 * such as "valueOf" or "constructor" return stale or foreign answers from `get` (a hashring bug).
 */
function uncached(ring: HashRing, key: string): string {
  return ring.ring[ring.find(ring.hashValue(key))]!.server;
}

test('hashring result-cache bug: "valueOf" answers leak between rings (why we compare uncached lookups)', () => {
  new HashRing({ 'leaked.example:11211': 1 }).get('valueOf');
  const theirs = new HashRing({ '10.0.0.1:11211': 1, '10.0.0.2:11211': 1 });
  assert.equal(theirs.get('valueOf'), 'leaked.example:11211', 'a server of another ring');
  assert.equal(
    new KetamaRing(['10.0.0.1:11211', '10.0.0.2:11211'], { pointsFormula: 'hashring' }).locate('valueOf'),
    uncached(theirs, 'valueOf'),
  );
});

test('real libmemcached 1.1.4 (fixtures from fixtures/libmemcached-ketama.c): 100 and 7 equal servers, and mixed weights/ports', () => {
  // C rounds ⌊pct·160/4·n⌋ in float: 100 equal servers get 39 digests each (156 points), 7 get 40.
  // libketama (float, but 40.0 is a double) gives 40 and 40; hashring (all double) 40 and 39.
  assert.deepEqual(
    [100, 7].map((n) => ketamaDigestCount(1, n, n, 'libmemcached')),
    [39, 40],
  );
  assert.deepEqual(
    [100, 7].map((n) => ketamaDigestCount(1, n, n, 'libketama')),
    [40, 40],
  );
  assert.deepEqual(
    [100, 7].map((n) => ketamaDigestCount(1, n, n, 'hashring')),
    [40, 39],
  );
  const cases: [string, { id: string; weight: number }[]][] = [
    ['libmemcached-100-equal.txt', Array.from({ length: 100 }, (_, i) => ({ id: `10.1.0.${i}:11211`, weight: 1 }))],
    ['libmemcached-7-equal.txt', Array.from({ length: 7 }, (_, i) => ({ id: `10.2.0.${i}:11211`, weight: 1 }))],
    [
      'libmemcached-weighted.txt',
      (
        [
          ['10.3.0.1:11211', 600],
          ['10.3.0.2:11212', 300],
          ['10.3.0.3:11211', 200],
          ['10.3.0.4:11213', 350],
          ['10.3.0.5:11211', 1000],
        ] as const
      ).map(([id, weight]) => ({ id, weight })),
    ],
  ];
  for (const [file, nodes] of cases) {
    const ring = new KetamaRing(nodes, { defaultPort: 11211 });
    const expected = readFileSync(new URL(`fixtures/${file}`, import.meta.url), 'utf8')
      .trim()
      .split('\n');
    assert.equal(expected.length, 5000);
    for (const line of expected) {
      const [key, server] = line.split(' ');
      assert.equal(ring.locate(key!), server, `${file}: ${key}`);
    }
  }
});

test('hashring disagrees with libmemcached where float32 and float64 rounding differ (measured: 2.5% of keys at 100 equal servers)', () => {
  const ids = Array.from({ length: 100 }, (_, i) => `10.1.0.${i}:11211`);
  const expected = readFileSync(new URL('fixtures/libmemcached-100-equal.txt', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const theirs = new HashRing(ids, 'md5', { 'default port': 11211 });
  const hashringStyle = new KetamaRing(ids, { defaultPort: 11211, pointsFormula: 'hashring' });
  let disagree = 0;
  for (const line of expected) {
    const [key, server] = line.split(' ') as [string, string];
    assert.equal(hashringStyle.locate(key), uncached(theirs, key));
    if (uncached(theirs, key) !== server) disagree++;
  }
  assert.equal(disagree, 126);
});

test('property: md5Into equals node:crypto MD5 for any string or bytes; ketamaHash is its first little-endian word', () => {
  const out = new Uint32Array(4);
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.uint8Array({ maxLength: 300 })), (input) => {
      md5Into(input, out);
      const reference = createHash('md5').update(input).digest();
      assert.equal(Buffer.from(out.buffer, out.byteOffset, 16).toString('hex'), reference.toString('hex'));
      assert.equal(ketamaHash(input), reference.readUInt32LE(0));
    }),
    { numRuns: 1500, seed: 62 },
  );
});

test('ketama rejects bad options and keys with typed errors', () => {
  const code = (c: string) => (e: unknown) => isHeadroomError(e, c);
  assert.throws(() => new KetamaRing(['a'], { defaultPort: 0 }), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => new KetamaRing(['a'], { pointsFormula: 'x' as 'hashring' }), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => new KetamaRing(['a']).locate(1 as unknown as string), code('HR_PARTITION_INVALID_KEY'));
});

test('a node too light for a single point is refused, naming the node, its weight and the minimum', () => {
  // ⌊1/1001 · 40 · 2⌋ = 0 digests: libmemcached and libketama would keep "tiny" in the list and
  // never pick it. The smallest integer weight that gets a digest is 13 (⌊13/1013 · 80⌋ = 1).
  const refused = (node: string, weight: number, minimumWeight: number) => (e: unknown) => {
    assert.ok(e instanceof WeightTooSmallError && isHeadroomError(e, 'HR_PARTITION_WEIGHT_TOO_SMALL'), String(e));
    assert.deepEqual({ node: e.node, weight: e.weight, minimumWeight: e.minimumWeight }, { node, weight, minimumWeight });
    assert.ok(e.message.includes(JSON.stringify(node)) && e.message.includes(`${minimumWeight}`), e.message);
    return true;
  };
  assert.throws(
    () =>
      new KetamaRing([
        { id: 'big', weight: 1000 },
        { id: 'tiny', weight: 1 },
      ]),
    refused('tiny', 1, 13),
  );
  assert.throws(
    () =>
      new KetamaRing([
        { id: 'big', weight: 1000 },
        { id: 'tiny', weight: 12 },
      ]),
    refused('tiny', 12, 13),
  );
  const ring = new KetamaRing([
    { id: 'big', weight: 1000 },
    { id: 'tiny', weight: 13 },
  ]);
  assert.equal([...ring.continuum.owners].filter((o) => o === 1).length, 4, 'one digest: four points');
  assert.deepEqual(ring.locateN('anything', 2).sort(), ['big', 'tiny']);
  // Adding a heavy node can starve an existing one: the new ring is refused, naming it.
  assert.throws(() => new KetamaRing(['a', 'b']).withNode({ id: 'huge', weight: 1000 }), refused('a', 1, 9));
  // Fractional weights: the minimum is given to 3 significant digits.
  assert.throws(
    () =>
      new KetamaRing([
        { id: 'x', weight: 1 },
        { id: 'y', weight: 0.01 },
      ]),
    refused('y', 0.01, 0.0127),
  );
  for (const formula of ['libmemcached', 'libketama', 'hashring'] as const) {
    assert.throws(
      () =>
        new KetamaRing(
          [
            { id: 'big', weight: 1000 },
            { id: 'tiny', weight: 1 },
          ],
          { pointsFormula: formula },
        ),
      (e) => isHeadroomError(e, 'HR_PARTITION_WEIGHT_TOO_SMALL'),
    );
  }
});

test('real libmemcached 1.1.4 with a light server: at weight 12 beside 1,000 it is never picked (we refuse it); at 13, our minimum, it gets keys, key for key', () => {
  const fixture = (file: string) =>
    readFileSync(new URL(`fixtures/${file}`, import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]);
  const starved = fixture('libmemcached-starved.txt');
  assert.equal(starved.length, 2000);
  assert.ok(
    starved.every(([, server]) => server === '10.4.0.1:11211'),
    'libmemcached never picks the weight-12 server',
  );
  assert.throws(
    () =>
      new KetamaRing(
        [
          { id: '10.4.0.1:11211', weight: 1000 },
          { id: '10.4.0.2:11211', weight: 12 },
        ],
        { defaultPort: 11211 },
      ),
    (e) => e instanceof WeightTooSmallError && e.node === '10.4.0.2:11211' && e.minimumWeight === 13,
  );
  const light = fixture('libmemcached-light.txt');
  const ring = new KetamaRing(
    [
      { id: '10.4.0.1:11211', weight: 1000 },
      { id: '10.4.0.2:11211', weight: 13 },
    ],
    { defaultPort: 11211 },
  );
  for (const [key, server] of light) assert.equal(ring.locate(key), server, key);
  assert.equal(light.filter(([, server]) => server === '10.4.0.2:11211').length, 28, 'the light server gets its keys (28 of 2,000 here)');
});

test('property: a ketama ring is refused exactly when a node would get no digest; the minimum is the least weight that gets one', () => {
  const weights = fc.array(fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.double({ min: 0.001, max: 50, noNaN: true })), {
    minLength: 1,
    maxLength: 40,
  });
  const formulas = fc.constantFrom('libmemcached' as const, 'libketama' as const, 'hashring' as const);
  fc.assert(
    fc.property(weights, formulas, (ws, formula) => {
      const nodes = ws.map((weight, i) => ({ id: `10.0.0.${i}:11211`, weight }));
      const total = ws.reduce((a, b) => a + b, 0);
      const starved = ws.findIndex((w) => ketamaDigestCount(w, total, ws.length, formula) === 0);
      let ring: KetamaRing;
      try {
        ring = new KetamaRing(nodes, { pointsFormula: formula });
      } catch (e) {
        assert.ok(e instanceof WeightTooSmallError, String(e));
        assert.equal(e.node, nodes[starved]?.id, 'the first node with no digest is named');
        const digests = (w: number) => {
          const list = ws.map((x, i) => (i === starved ? w : x));
          return ketamaDigestCount(
            w,
            list.reduce((a, b) => a + b, 0),
            list.length,
            formula,
          );
        };
        assert.ok(digests(e.minimumWeight) >= 1, `minimum ${e.minimumWeight} gets a digest`);
        if (ws.every(Number.isInteger)) assert.equal(digests(e.minimumWeight - 1), 0, `${e.minimumWeight - 1} would not`);
        else {
          const below = Number((e.minimumWeight - 10 ** (Math.floor(Math.log10(e.minimumWeight)) - 2)).toPrecision(3));
          assert.ok(below <= 0 || digests(below) === 0, `the 3-significant-digit weight below, ${below}, would not`);
        }
        return;
      }
      assert.equal(starved, -1, 'accepted only when every node gets a digest');
      // Every node is on the continuum, so locateN can return them all.
      assert.equal(new Set(ring.locateN('some key', nodes.length)).size, nodes.length);
    }),
    { numRuns: 300, seed: 63 },
  );
});
