/**
 * Hit-path cost, 100k keys, all present: Headroom's W-TinyLFU and LRU against lru-cache,
 * lru.min and mnemonist (sync `get`), and the async read paths (`getOrLoad`, `get`) against
 * lru-cache's `get`/`fetch`, bentocache's `getOrSet`, cache-manager and cacheable.
 * Keys come from a pre-drawn sequence of 65,536 indices (uniform or Zipf 0.99), so no case
 * pays for drawing a random number. The synchronous cases run interleaved (bench/interleaved.ts:
 * short batches, round-robin, median), so load from other jobs on this shared machine lands on
 * every case alike.
 */
import { Cache } from '../../src/cache/index.js';
import { SeededRandom } from '../../src/core/random.js';
import { report } from '../harness.js';
import { interleaved, interleavedAsync } from '../interleaved.js';
import { bento, cacheManager, cacheable, lruCache, lruMin, mnemonist } from './peers.js';
import { zipfSampler } from '../../test/cache/traces.js';

const N = 100_000;
const MASK = 65_535;
const keys = Array.from({ length: N }, (_, i) => `product:${100_000 + i}`);
const random = new SeededRandom(7);

function sequence(draw: () => number): () => string {
  const seq = new Int32Array(MASK + 1);
  for (let i = 0; i <= MASK; i++) seq[i] = draw();
  let i = 0;
  return () => keys[seq[(i = (i + 1) & MASK)]!]!;
}

const tinylfu = new Cache<number>({ maxEntries: N, random: random.fork('tinylfu') });
const lru = new Cache<number>({ maxEntries: N, eviction: 'lru' });
const peerLruCache = lruCache<number>(N);
const peerLruMin = lruMin<number>(N);
const peerMnemonist = mnemonist<number>(N);
for (let i = 0; i < N; i++) {
  void tinylfu.set(keys[i]!, i);
  void lru.set(keys[i]!, i);
  peerLruCache.set(keys[i]!, i);
  peerLruMin.set(keys[i]!, i);
  peerMnemonist.set(keys[i]!, i);
}

for (const [label, draw] of [
  ['uniform', () => random.int(N)],
  ['Zipf 0.99', zipfSampler(N, 0.99, random.fork('zipf'))],
] as const) {
  const next = sequence(draw);
  report(`cache: get hit, 100k keys, ${label}`, () =>
    interleaved(
      {
        'headroom tinylfu getSync': () => tinylfu.getSync(next()),
        'headroom lru getSync': () => lru.getSync(next()),
        'lru-cache get': () => peerLruCache.get(next()),
        'lru.min get': () => peerLruMin.get(next()),
        'mnemonist LRUCache get': () => peerMnemonist.get(next()),
      },
      'lru-cache get',
      { rounds: 21, batchMs: 20 },
    ),
  );
}

{
  // Keys as a service builds them: a new string per request (the other suites reuse held strings).
  const seq = new Int32Array(MASK + 1);
  const draw = zipfSampler(N, 0.99, random.fork('zipf-fresh'));
  for (let i = 0; i <= MASK; i++) seq[i] = 100_000 + draw();
  let i = 0;
  const fresh = (): string => `product:${seq[(i = (i + 1) & MASK)]!}`;
  report('cache: get hit, key string built per call, 100k keys, Zipf 0.99', () =>
    interleaved(
      {
        'headroom tinylfu getSync': () => tinylfu.getSync(fresh()),
        'headroom lru getSync': () => lru.getSync(fresh()),
        'lru-cache get': () => peerLruCache.get(fresh()),
        'lru.min get': () => peerLruMin.get(fresh()),
        'mnemonist LRUCache get': () => peerMnemonist.get(fresh()),
      },
      'lru-cache get',
      { rounds: 21, batchMs: 20 },
    ),
  );
}

{
  // With a TTL every hit reads the clock: Headroom (1 h soft TTL) against lru-cache (1 h ttl).
  const next = sequence(zipfSampler(N, 0.99, random.fork('zipf-ttl')));
  const withTtl = new Cache<number>({ maxEntries: N, ttl: '1h', random: random.fork('ttl') });
  const peerTtl = lruCache<number>(N, 3_600_000);
  for (let i = 0; i < N; i++) {
    void withTtl.set(keys[i]!, i);
    peerTtl.set(keys[i]!, i);
  }
  report('cache: get hit with a 1 h TTL, 100k keys, Zipf 0.99', () =>
    interleaved(
      {
        'headroom tinylfu getSync (ttl)': () => withTtl.getSync(next()),
        'lru-cache get (ttl)': () => peerTtl.get(next()),
      },
      'lru-cache get (ttl)',
      { rounds: 21, batchMs: 20 },
    ),
  );
}

{
  // The async read paths as an application calls them: every call awaited, interleaved with the
  // synchronous peer in the same batches.
  const next = sequence(zipfSampler(N, 0.99, random.fork('zipf-async')));
  const loader = (): number => 0;
  const fetching = lruCache<number>(N);
  const bentoCache = bento(N);
  const manager = cacheManager();
  const able = cacheable();
  for (let i = 0; i < N; i++) fetching.set(keys[i]!, i);
  const fill = Promise.all(
    keys.map(async (key, i) => {
      await bentoCache.set({ key, value: i });
      await manager.set(key, i);
      await able.set(key, i);
    }),
  );
  await fill;
  report('cache: getOrLoad hit (async, each call awaited), 100k keys, Zipf 0.99', () =>
    interleavedAsync(
      {
        'headroom tinylfu getOrLoad': () => tinylfu.getOrLoad(next(), loader),
        'headroom tinylfu get (async)': () => tinylfu.get(next()),
        'lru-cache get (sync)': () => peerLruCache.get(next()),
        'lru-cache fetch': () => fetching.fetch(next()),
        'bentocache getOrSet': () => bentoCache.getOrSet({ key: next(), factory: loader }),
        'cache-manager get': () => manager.get(next()),
        'cacheable get': () => able.get(next()),
      },
      'lru-cache get (sync)',
      { rounds: 21, batchMs: 20 },
    ),
  );
}
