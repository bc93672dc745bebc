/**
 * Hit ratio on seeded traces over 1M keys at capacities of 1%, 5% and 10% of the key space:
 * Headroom W-TinyLFU and LRU, lru-cache, and Bélády's offline optimum (MIN with bypass). Each
 * access is a cache-aside step: `getSync`, and `set` on a miss. One report per trace.
 *
 * Length: 4M accesses per trace, plus the one-off scan's keys (HEADROOM_BENCH_TRACE_LENGTH to change). Seed: 42 (HEADROOM_SEED).
 */
import { Cache } from '../../src/cache/index.js';
import { SeededRandom, seedFromEnv } from '../../src/core/random.js';
import { report } from '../harness.js';
import { lruCache } from './peers.js';
import { a0HitRatio, beladyHitRatio, oneOffScanTrace, scanMixTrace, shiftTrace, zipfTrace, type Trace } from '../../test/cache/traces.js';

const KEY_SPACE = 1_000_000;
/** Keys of the one-off scan: 3× the largest capacity tested. */
const SCAN_KEYS = 300_000;
const LENGTH = Number(process.env['HEADROOM_BENCH_TRACE_LENGTH'] ?? 4_000_000);
const CAPACITIES = [0.01, 0.05, 0.1] as const;
const seed = seedFromEnv(42);
let names: string[] | undefined;
const nameOf = (): string[] => (names ??= Array.from({ length: KEY_SPACE + SCAN_KEYS }, (_, i) => `k${i}`));

interface TraceSpec {
  readonly name: string;
  readonly make: (random: SeededRandom) => Trace;
  readonly zipf: boolean;
  /** Ids used, when more than KEY_SPACE. */
  readonly keySpace?: number;
}

const traces: TraceSpec[] = [
  { name: 'Zipf 0.8', make: (r) => zipfTrace(KEY_SPACE, 0.8, LENGTH, r), zipf: true },
  { name: 'Zipf 0.99', make: (r) => zipfTrace(KEY_SPACE, 0.99, LENGTH, r), zipf: true },
  {
    name: 'scan/loop mix (50% Zipf 0.9 over 500k keys, 50% a loop over the other 500k)',
    make: (r) => ({ trace: scanMixTrace(KEY_SPACE, LENGTH, r) }),
    zipf: false,
  },
  {
    name: 'popularity shift (Zipf 0.9, popular keys re-drawn 4 times)',
    make: (r) => ({ trace: shiftTrace(KEY_SPACE, LENGTH, 4, r) }),
    zipf: false,
  },
  {
    name: `one-off scan (Zipf 0.99, ${SCAN_KEYS / 1000}k new keys mid-trace, interleaved 1:1)`,
    make: (r) => ({ trace: oneOffScanTrace(KEY_SPACE, LENGTH, SCAN_KEYS, r) }),
    zipf: false,
    keySpace: KEY_SPACE + SCAN_KEYS,
  },
];

function headroom(trace: Int32Array, capacity: number, eviction: 'tinylfu' | 'lru'): number {
  const keys = nameOf();
  const cache = new Cache<number>({ maxEntries: capacity, eviction, random: new SeededRandom(seed) });
  let hits = 0;
  for (let i = 0; i < trace.length; i++) {
    const key = keys[trace[i]!]!;
    if (cache.getSync(key) !== undefined) hits++;
    else void cache.set(key, 1);
  }
  return hits / trace.length;
}

function lruCachePeer(trace: Int32Array, capacity: number): number {
  const keys = nameOf();
  const cache = lruCache<number>(capacity);
  let hits = 0;
  for (let i = 0; i < trace.length; i++) {
    const key = keys[trace[i]!]!;
    if (cache.get(key) !== undefined) hits++;
    else cache.set(key, 1);
  }
  return hits / trace.length;
}

/** Hit ratio of the `capacity` keys most frequent over the whole trace, held from the start (hindsight LFU). */
function staticOracle(trace: Int32Array, keySpace: number, capacity: number): number {
  const counts = new Int32Array(keySpace);
  for (let i = 0; i < trace.length; i++) counts[trace[i]!]!++;
  counts.sort().reverse();
  let hits = 0;
  for (let i = 0; i < capacity; i++) hits += counts[i]!;
  return hits / trace.length;
}

const pct = (x: number): number => Math.round(x * 10_000) / 100;

for (const [index, spec] of traces.entries()) {
  report(`cache: hit ratio (%), ${spec.name}, 1M keys, ${LENGTH / 1e6}M accesses`, () => {
    const { trace, rank } = spec.make(new SeededRandom(seed).fork(`trace-${index}`) as SeededRandom);
    const rows: (string | number)[][] = [];
    const notes: string[] = [];
    const onlineShares: string[] = [];
    for (const share of CAPACITIES) {
      const capacity = Math.round(KEY_SPACE * share);
      const tiny = headroom(trace, capacity, 'tinylfu');
      const lru = headroom(trace, capacity, 'lru');
      const peer = lruCachePeer(trace, capacity);
      const optimum = beladyHitRatio(trace, spec.keySpace ?? KEY_SPACE, capacity);
      const oracle = staticOracle(trace, spec.keySpace ?? KEY_SPACE, capacity);
      const online = rank === undefined ? undefined : a0HitRatio(trace, rank, capacity);
      if (online !== undefined)
        onlineShares.push(
          `${share * 100}% ${((online / optimum) * 100).toFixed(1)}% (tinylfu reaches ${((tiny / online) * 100).toFixed(1)}% of A0)`,
        );
      rows.push([
        `${share * 100}%`,
        pct(tiny),
        pct(lru),
        pct(peer),
        pct(optimum),
        pct(oracle),
        online === undefined ? '–' : pct(online),
        `${((tiny / optimum) * 100).toFixed(1)}%`,
        `${((tiny - lru) * 100).toFixed(2)}`,
      ]);
      const goal = spec.zipf ? tiny >= 0.9 * optimum : tiny >= lru;
      notes.push(
        `${share * 100}%: tinylfu ${spec.zipf ? `${((tiny / optimum) * 100).toFixed(1)}% of optimum (goal ≥ 90%)` : `${((tiny - lru) * 100).toFixed(2)} points vs LRU (goal ≥ 0${spec.name.startsWith('scan') ? ', ≥ +5 on the scan mix' : ''})`}: ${goal && (!spec.name.startsWith('scan') || tiny - lru >= 0.05) ? 'met' : 'NOT met'}`,
      );
    }
    return {
      header: [
        'capacity',
        'headroom tinylfu',
        'headroom lru',
        'lru-cache',
        'Bélády (optimum)',
        'hindsight top-k',
        'A0 (best online)',
        'tinylfu / optimum',
        'tinylfu − lru (points)',
      ],
      rows,
      notes: [
        ...notes,
        'hindsight top-k: the capacity most frequent keys of the whole trace, held from the start (first accesses count as hits) — a reference, not a policy.',
        ...(rank === undefined
          ? []
          : [
              `A0: keeps the capacity most probable keys requested so far, knowing the true probabilities — the optimal online policy for independent references (Aho, Denning, Ullman 1971); A0 / optimum: ${onlineShares.join(', ')}.`,
            ]),
      ],
    };
  });
}
