/**
 * Memory per entry: 1M small entries (a short string key already allocated, a small-integer
 * value), measured as the growth of V8 heap + ArrayBuffer memory after a full GC, for Headroom
 * (W-TinyLFU and LRU, without and with a TTL) and the LRU peers; and the key index alone, the
 * cache's dictionary object against a `Map` (run: `npm run bench -- "cache: memory"`).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Cache } from '../../src/cache/index.js';
import { KeyIndex } from '../../src/cache/key-index.js';
import { SeededRandom } from '../../src/core/random.js';
import { report } from '../harness.js';
import { lruCache, lruMin, mnemonist } from './peers.js';

const N = 1_000_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function used(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function bytesPerEntry(build: (keys: readonly string[]) => unknown, keys: readonly string[]): number {
  const before = used();
  const held = build(keys);
  const after = used();
  if (held === undefined) throw new Error('unreachable');
  return (after - before) / N;
}

report('cache: memory per entry, 1M entries (string key, small-integer value)', () => {
  const keys = Array.from({ length: N }, (_, i) => `key:${String(i).padStart(7, '0')}`);
  const rows: (string | number)[][] = [];
  const cases: Array<[string, (keys: readonly string[]) => unknown]> = [
    [
      'headroom tinylfu',
      (ks) => {
        const c = new Cache<number>({ maxEntries: N, random: new SeededRandom(1) });
        ks.forEach((k, i) => void c.set(k, i));
        return c;
      },
    ],
    [
      'headroom lru',
      (ks) => {
        const c = new Cache<number>({ maxEntries: N, eviction: 'lru' });
        ks.forEach((k, i) => void c.set(k, i));
        return c;
      },
    ],
    [
      'headroom tinylfu, ttl 1h',
      (ks) => {
        const c = new Cache<number>({ maxEntries: N, ttl: '1h', random: new SeededRandom(1) });
        ks.forEach((k, i) => void c.set(k, i));
        return c;
      },
    ],
    [
      'lru-cache',
      (ks) => {
        const c = lruCache<number>(N);
        ks.forEach((k, i) => c.set(k, i));
        return c;
      },
    ],
    [
      'lru-cache, ttl 1h',
      (ks) => {
        const c = lruCache<number>(N, 3_600_000);
        ks.forEach((k, i) => c.set(k, i));
        return c;
      },
    ],
    [
      'lru.min',
      (ks) => {
        const c = lruMin<number>(N);
        ks.forEach((k, i) => c.set(k, i));
        return c;
      },
    ],
    [
      'mnemonist LRUCache',
      (ks) => {
        const c = mnemonist<number>(N);
        ks.forEach((k, i) => c.set(k, i));
        return c;
      },
    ],
    // The key index alone (key → slot number), as the cache holds it and as a Map would.
    [
      'key index only: KeyIndex (dictionary object)',
      (ks) => {
        const index = new KeyIndex<number>();
        ks.forEach((k, i) => index.add(k, i));
        return index;
      },
    ],
    [
      'key index only: Map<string, number>',
      (ks) => {
        const index = new Map<string, number>();
        ks.forEach((k, i) => index.set(k, i));
        return index;
      },
    ],
  ];
  const measured = cases.map(([name, build]) => [name, bytesPerEntry(build, keys)] as const);
  const peer = measured.find(([name]) => name === 'lru-cache')![1];
  for (const [name, bytes] of measured) rows.push([name, Math.round(bytes * 10) / 10, `${(bytes / peer).toFixed(2)}×`]);
  return {
    header: ['cache', 'bytes/entry', 'vs lru-cache'],
    rows,
    notes: ['Keys are allocated before measuring, so only the structure is counted (Map entry, slot arrays, sketch).'],
  };
});
