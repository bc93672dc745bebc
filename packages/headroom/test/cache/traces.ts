/**
 * Seeded synthetic access traces and Bélády's offline optimum, for the hit-ratio benchmark (and
 * the tests that need a skewed trace; tests do not import benchmarks, so it lives here).
 * Keys are integer ids in [0, keySpace); the benchmark maps them to strings once.
 */
import type { Random } from '../../src/core/random.js';
import { ZipfSampler } from '../../src/scale/index.js';

/** Samples ranks 0..n-1 with P(rank r) ∝ 1/(r+1)^s: headroom/scale's `ZipfSampler`, as a function. */
export function zipfSampler(n: number, s: number, random: Random): () => number {
  const zipf = new ZipfSampler({ n, exponent: s, random });
  return () => zipf.next();
}

/** A random permutation of 0..n-1 (so popular ranks are not adjacent ids). */
export function permutation(n: number, random: Random): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** A trace of key ids, with each id's popularity rank when the trace is independent draws. */
export interface Trace {
  readonly trace: Int32Array;
  /** rank[id] = 0 for the most probable key (known only for independent-reference traces). */
  readonly rank?: Int32Array;
}

/** Independent Zipf(s) accesses over `keySpace` keys, with every key's rank. */
export function zipfTrace(keySpace: number, s: number, length: number, random: Random): Required<Trace> {
  const sample = zipfSampler(keySpace, s, random);
  const ids = permutation(keySpace, random);
  const trace = new Int32Array(length);
  for (let i = 0; i < length; i++) trace[i] = ids[sample()]!;
  const rank = new Int32Array(keySpace);
  for (let r = 0; r < keySpace; r++) rank[ids[r]!] = r;
  return { trace, rank };
}

/**
 * The optimal online policy for independent references, A0 (Aho, Denning, Ullman, "Principles
 * of Optimal Page Replacement", JACM 1971): knowing every key's true probability, keep the
 * `capacity` most probable keys requested so far (a less probable newcomer is not cached).
 * No online policy has a higher expected hit ratio on such a trace; Bélády's MIN is higher
 * still only because it knows the actual future. O(n log capacity), a max-heap of ranks.
 */
export function a0HitRatio(trace: Int32Array, rank: Int32Array, capacity: number): number {
  const cached = new Uint8Array(rank.length); // by rank
  const heap = new Int32Array(capacity); // ranks held, least probable on top
  let size = 0;
  let hits = 0;
  for (let i = 0; i < trace.length; i++) {
    const r = rank[trace[i]!]!;
    if (cached[r] === 1) {
      hits++;
      continue;
    }
    if (size === capacity) {
      if (heap[0]! < r) continue; // less probable than every cached key: bypass
      cached[heap[0]!] = 0;
      siftDown(heap, size, r);
    } else {
      siftUp(heap, size++, r);
    }
    cached[r] = 1;
  }
  return hits / trace.length;
}

/** Max-heap insert of `value` at position `at`. */
function siftUp(heap: Int32Array, at: number, value: number): void {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! >= value) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = value;
}

/** Replaces the max-heap's top with `value`. */
function siftDown(heap: Int32Array, size: number, value: number): void {
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && heap[child + 1]! > heap[child]!) child++;
    if (heap[child]! <= value) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = value;
}

/**
 * Half the accesses from Zipf(0.9) over the first half of the key space, half a sequential loop
 * over the second half (a batch job scanning a table larger than any cache tested).
 */
export function scanMixTrace(keySpace: number, length: number, random: Random): Int32Array {
  const half = keySpace >>> 1;
  const sample = zipfSampler(half, 0.9, random);
  const ids = permutation(half, random);
  const trace = new Int32Array(length);
  let loop = 0;
  for (let i = 0; i < length; i++) {
    if (random.chance(0.5)) trace[i] = ids[sample()]!;
    else {
      trace[i] = half + loop;
      loop = loop + 1 === half ? 0 : loop + 1;
    }
  }
  return trace;
}

/**
 * Zipf(0.99) over `keySpace` keys with a one-off scan in the middle: `scanKeys` keys never seen
 * before (ids `keySpace …`), interleaved one for one with the ongoing traffic — a batch job or
 * a crawler passing through while users keep reading. Returns ids in [0, keySpace + scanKeys).
 */
export function oneOffScanTrace(keySpace: number, length: number, scanKeys: number, random: Random): Int32Array {
  const sample = zipfSampler(keySpace, 0.99, random);
  const ids = permutation(keySpace, random);
  const trace = new Int32Array(length + scanKeys);
  const scanAt = (length - scanKeys) >>> 1;
  let at = 0;
  for (let i = 0; at < trace.length; i++) {
    const scanning = i >= scanAt && i < scanAt + scanKeys;
    trace[at++] = ids[sample()]!;
    if (scanning) trace[at++] = keySpace + i - scanAt;
  }
  return trace;
}

/** Zipf(0.9) whose popular keys are re-drawn at random every `length / phases` accesses. */
export function shiftTrace(keySpace: number, length: number, phases: number, random: Random): Int32Array {
  const sample = zipfSampler(keySpace, 0.9, random);
  const trace = new Int32Array(length);
  const per = Math.ceil(length / phases);
  let ids = permutation(keySpace, random);
  for (let i = 0; i < length; i++) {
    if (i > 0 && i % per === 0) ids = permutation(keySpace, random);
    trace[i] = ids[sample()]!;
  }
  return trace;
}

/**
 * Bélády's MIN with bypass: on a miss, evict the key whose next use is farthest in the future,
 * or do not cache the new key if its own next use is farther still. The best hit ratio any
 * cache of `capacity` entries can reach on this trace. O(n log n), with a lazy max-heap.
 */
export function beladyHitRatio(trace: Int32Array, keySpace: number, capacity: number): number {
  const n = trace.length;
  const next = new Int32Array(n);
  const seen = new Int32Array(keySpace).fill(n);
  for (let i = n - 1; i >= 0; i--) {
    next[i] = seen[trace[i]!]!;
    seen[trace[i]!] = i;
  }
  // cachedNext[key] = next use of a cached key, or -1 when not cached.
  const cachedNext = new Int32Array(keySpace).fill(-1);
  const heapTime = new Int32Array(n + 1);
  const heapKey = new Int32Array(n + 1);
  let heapSize = 0;
  const push = (time: number, key: number): void => {
    let i = heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heapTime[parent]! >= time) break;
      heapTime[i] = heapTime[parent]!;
      heapKey[i] = heapKey[parent]!;
      i = parent;
    }
    heapTime[i] = time;
    heapKey[i] = key;
  };
  const pop = (): void => {
    const time = heapTime[--heapSize]!;
    const key = heapKey[heapSize]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= heapSize) break;
      if (child + 1 < heapSize && heapTime[child + 1]! > heapTime[child]!) child++;
      if (heapTime[child]! <= time) break;
      heapTime[i] = heapTime[child]!;
      heapKey[i] = heapKey[child]!;
      i = child;
    }
    heapTime[i] = time;
    heapKey[i] = key;
  };
  // Drops heap tops that no longer describe a cached key's current next use.
  const top = (): void => {
    while (heapSize > 0 && cachedNext[heapKey[0]!] !== heapTime[0]) pop();
  };
  let size = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const key = trace[i]!;
    if (cachedNext[key]! >= 0) {
      hits++;
      cachedNext[key] = next[i]!;
      push(next[i]!, key);
      continue;
    }
    if (next[i] === n) continue; // never used again: caching it cannot help
    if (size < capacity) {
      size++;
    } else {
      top();
      if (heapTime[0]! <= next[i]!) continue; // bypass: the newcomer is needed last
      cachedNext[heapKey[0]!] = -1;
      pop();
    }
    cachedNext[key] = next[i]!;
    push(next[i]!, key);
  }
  return hits / n;
}
