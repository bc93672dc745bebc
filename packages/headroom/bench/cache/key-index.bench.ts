/**
 * The key index alone: `KeyIndex` (a prototype-free object in dictionary mode, what the cache
 * uses) against a `Map<string, number>`, on 100k string keys — the figures behind the choice in
 * src/cache/key-index.ts and docs/cache.md ("Keys are indexed…"). Run:
 * `npm run bench -- "cache: key index"`. Cases run interleaved (bench/interleaved.ts).
 *
 * - lookups of keys all present: the same key strings the index was built with ("held"), or a
 *   new string built per call from a template (as a request handler builds `product:${id}`);
 * - churn: add one key and delete the one added 200 calls earlier (a 200-entry table, like a
 *   small L1 evicting on every insert), with keys from a pool of 20k strings seen before, or
 *   with keys never seen before (built per call from a counter).
 */
import { KeyIndex } from '../../src/cache/key-index.js';
import { SeededRandom } from '../../src/core/random.js';
import { report } from '../harness.js';
import { interleaved } from '../interleaved.js';

const N = 100_000;
const MASK = 65_535;
const ids = Array.from({ length: N }, (_, i) => 100_000 + i);
const keys = ids.map((id) => `product:${id}`);
const random = new SeededRandom(11);
const seq = Int32Array.from({ length: MASK + 1 }, () => random.int(N));

const dictionary = new KeyIndex<number>();
const map = new Map<string, number>();
keys.forEach((k, i) => {
  dictionary.add(k, i);
  map.set(k, i);
});

let h = 0;
const held = (): string => keys[seq[(h = (h + 1) & MASK)]!]!;
let b = 0;
const built = (): string => `product:${ids[seq[(b = (b + 1) & MASK)]!]!}`;

report('cache: key index lookup, 100k keys present (Map vs the dictionary object)', () =>
  interleaved(
    {
      'KeyIndex get, held key': () => dictionary.get(held()),
      'Map get, held key': () => map.get(held()),
      'KeyIndex get, key built per call': () => dictionary.get(built()),
      'Map get, key built per call': () => map.get(built()),
    },
    'Map get, held key',
  ),
);

/** Adds a key and deletes the one added `WINDOW` calls earlier. */
const WINDOW = 200;
const POOL = 20_000;
const pool = Array.from({ length: POOL }, (_, i) => `session:${1_000_000 + i}`);

function churn(make: (i: number) => string, add: (k: string) => void, remove: (k: string) => void): () => void {
  const ring: string[] = Array.from({ length: WINDOW }, () => '');
  let i = 0;
  return () => {
    const slot = i % WINDOW;
    if (i >= WINDOW) remove(ring[slot]!);
    const key = make(i++);
    ring[slot] = key;
    add(key);
  };
}

function churnCases(label: string, make: (i: number) => string): Record<string, () => void> {
  const d = new KeyIndex<number>();
  const m = new Map<string, number>();
  return {
    [`KeyIndex add + delete, ${label}`]: churn(
      make,
      (k) => d.add(k, 1),
      (k) => d.delete(k),
    ),
    [`Map set + delete, ${label}`]: churn(
      make,
      (k) => m.set(k, 1),
      (k) => m.delete(k),
    ),
  };
}

// Keys of the pool are taken in a window-shifted order, so a key comes back only after it left.
let fresh = 0;
report('cache: key index churn, 200 entries (add one, delete the oldest)', () =>
  interleaved(
    {
      ...churnCases('keys seen before (20k pool)', (i) => pool[i % POOL]!),
      ...churnCases('keys never seen before', () => `session:${2_000_000 + fresh++}`),
    },
    'Map set + delete, keys seen before (20k pool)',
  ),
);
