/**
 * W-TinyLFU eviction: a small admission window (LRU, 1% of capacity) in front of a segmented
 * main LRU (probation 20%, protected 80%), with a TinyLFU frequency sketch deciding whether an
 * entry leaving the window may replace the main region's victim.
 *
 * Source: G. Einziger, R. Friedman, B. Manes, "TinyLFU: A Highly Efficient Cache Admission
 * Policy", ACM Transactions on Storage 13(4), 2017; segment sizes and the hash-flooding guard
 * follow Caffeine (B. Manes). Segmented LRU: R. Karedla, J. S. Love, B. G. Wherry, 1994.
 *
 * Hits go through a lossless read buffer (read-buffer.ts): `access` records the slot, and the
 * buffered hits are applied in a batch when it fills or before any other operation.
 *
 * Popularity shifts: the sketch ages by halving every 10 × capacity increments, too slowly for
 * an abrupt shift — yesterday's favourites keep high counts, hold the protected segment and win
 * every admission duel. So the policy watches its own hit rate (shift-detector.ts): when two samples
 * in a row fall 5 points below the moving average while the missed keys recur (not a scan), it zeroes
 * the sketch and moves the whole protected segment behind probation's tail, after which the
 * cache refills as from cold.
 *
 * Complexity: O(1) per access and per eviction (four sketch counters and a few list links);
 * the sketch halves its counters every 10 × capacity increments (O(table), amortised O(1)); a
 * detected shift costs O(table + entries), at most once per sample (a quarter of the entries
 * in accesses), so amortised O(1) as well. The hit path only adds to a counter, once per replay.
 *
 * Limits: the window is a fixed 1% (Caffeine adapts it by hill climbing; a climber sampled every
 * half to one capacity of accesses was measured here: below the shift detector on the shift
 * trace, and it cost the scan mix and Zipf 0.99). A shift is only seen once the hit rate has
 * fallen; a gradual drift is left to the sketch's ageing.
 */
import type { Random } from '../../core/random.js';
import { FrequencySketch } from './frequency-sketch.js';
import type { EvictionPolicy } from './policy.js';
import { READ_BUFFER_SIZE, ReadBuffer } from './read-buffer.js';
import { Segments } from './segments.js';
import { ShiftDetector } from './shift-detector.js';

const WINDOW = 0;
const PROBATION = 1;
const PROTECTED = 2;
/** Share of capacity given to the admission window (Caffeine's default). */
const WINDOW_SHARE = 0.01;
/** Share of the main region kept as protected. */
const PROTECTED_SHARE = 0.8;
/** Candidates at least this warm are admitted at random 1 in 128 times (hash-flooding guard). */
const HASHDOS_THRESHOLD = 6;

export class TinyLfuPolicy implements EvictionPolicy {
  readonly kind = 'tinylfu';
  readonly maximum: number;
  readonly #lists: Segments;
  readonly #sketch: FrequencySketch;
  readonly #random: Random;
  readonly #windowMax: number;
  readonly #mainMax: number;
  readonly #protectedMax: number;
  #count = 0;
  readonly #sketchLimit: number;
  /** Watches the hit rate for a popularity shift (see the file comment). */
  readonly #shift = new ShiftDetector();
  /** Whether the cache has been full (a victim was asked for) since the last clear. */
  #full = false;
  /** Hits not yet applied; replayed before every other operation (read-buffer.ts). */
  readonly #reads = new ReadBuffer();
  /** Scratch: the buffered slots' key hashes, gathered in one pass. */
  readonly #readHashes = new Int32Array(READ_BUFFER_SIZE);

  /**
   * @param maximum - maximum total weight (entries when unweighted)
   * @param capacity - initial number of slots
   * @param weighted - whether slots carry weights
   * @param random - used only by the hash-flooding guard
   */
  constructor(maximum: number, capacity: number, weighted: boolean, random: Random) {
    this.maximum = maximum;
    this.#random = random;
    this.#windowMax = Math.max(1, Math.round(maximum * WINDOW_SHARE));
    this.#mainMax = Math.max(0, maximum - this.#windowMax);
    this.#protectedMax = Math.floor(this.#mainMax * PROTECTED_SHARE);
    this.#lists = new Segments(capacity, weighted);
    // Sized for the entries present, growing with them (as Caffeine does), so a large maximum
    // costs nothing until it fills; unweighted, it never grows past `maximum` entries.
    this.#sketchLimit = weighted ? 1 << 26 : maximum;
    this.#sketch = new FrequencySketch(Math.min(this.#sketchLimit, 1024));
  }

  get weight(): number {
    this.#replay();
    const w = this.#lists.weights;
    return w[WINDOW]! + w[PROBATION]! + w[PROTECTED]!;
  }

  /** Estimated recent frequency of a key hash (0–15), for tests and diagnostics. */
  frequency(hash: number): number {
    this.#replay();
    return this.#sketch.frequency(hash);
  }

  ensureSlots(capacity: number): void {
    this.#replay();
    this.#lists.ensureSlots(capacity);
  }

  insert(slot: number, hash: number, weight: number): void {
    this.#replay();
    if (this.#shift.miss(this.#sketch.frequency(hash) > 1, this.#count, this.#full)) this.#forget();
    if (++this.#count > this.#sketch.capacity) this.#sketch.ensureCapacity(Math.min(this.#count * 2, this.#sketchLimit));
    this.#sketch.increment(hash);
    this.#lists.pushHead(WINDOW, slot, weight);
    this.#lists.setHash(slot, hash);
    this.#drainWindow();
  }

  access(slot: number): void {
    if (this.#reads.record(slot)) this.#replay();
  }

  update(slot: number, weight: number): void {
    this.#replay();
    this.#lists.setWeight(slot, weight);
    this.#sketch.increment(this.#lists.hashOf(slot));
    this.#reorder(slot);
    this.#drainWindow();
  }

  remove(slot: number): void {
    this.#replay();
    this.#lists.unlink(slot);
    this.#count--;
    this.#drainWindow();
  }

  victim(): number {
    const lists = this.#lists;
    this.#full = true;
    this.#replay();
    this.#drainWindow();
    if (lists.weights[WINDOW]! > this.#windowMax) {
      // The window's LRU entry wants into the main region: it duels the main region's victim.
      const candidate = lists.tails[WINDOW]!;
      let victim = lists.tails[PROBATION]!;
      if (victim < 0) victim = lists.tails[PROTECTED]!;
      if (victim < 0) return candidate;
      return this.#admit(lists.hashOf(candidate), lists.hashOf(victim)) ? victim : candidate;
    }
    const probation = lists.tails[PROBATION]!;
    if (probation >= 0) return probation;
    const protectedTail = lists.tails[PROTECTED]!;
    return protectedTail >= 0 ? protectedTail : lists.tails[WINDOW]!;
  }

  clear(): void {
    this.#reads.count = 0;
    this.#lists.clear();
    this.#sketch.clear();
    this.#count = 0;
    this.#full = false;
    this.#shift.clear();
  }

  /**
   * After a popularity shift: forgets every frequency and puts the protected segment behind
   * probation's tail, so the old favourites are the next victims and any candidate seen since
   * outweighs them.
   */
  #forget(): void {
    this.#sketch.clear();
    this.#lists.append(PROTECTED, PROBATION);
  }

  /** TinyLFU admission: the candidate must be seen more often than the victim it replaces. */
  #admit(candidateHash: number, victimHash: number): boolean {
    const candidate = this.#sketch.frequency(candidateHash);
    const victim = this.#sketch.frequency(victimHash);
    if (candidate > victim) return true;
    // An attacker can make a victim look hot through hash collisions; admitting warm candidates
    // now and then keeps such a victim from pinning its place forever (Caffeine's guard).
    return candidate >= HASHDOS_THRESHOLD && this.#random.int(128) === 0;
  }

  /**
   * Applies the buffered hits in order. Sketch and lists do not read each other, so the hits'
   * sketch increments run first, then the list moves: each pass is a loop of independent
   * loads whose cache misses the CPU overlaps.
   */
  #replay(): void {
    const reads = this.#reads;
    const n = reads.count;
    if (n === 0) return;
    reads.count = 0;
    this.#shift.hits(n);
    const slots = reads.slots;
    const hashes = this.#readHashes;
    const lists = this.#lists;
    const sketch = this.#sketch;
    for (let i = 0; i < n; i++) hashes[i] = lists.hashOf(slots[i]!);
    for (let i = 0; i < n; i++) sketch.increment(hashes[i]! >>> 0);
    for (let i = 0; i < n; i++) this.#reorder(slots[i]!);
  }

  /** A hit's recency: probation moves to protected, the others go to the head of their segment. */
  #reorder(slot: number): void {
    const lists = this.#lists;
    if (lists.segmentOf(slot) === PROBATION) this.#promote(slot);
    else lists.touch(slot);
  }

  /** A probation hit moves to protected; protected overflow is demoted back to probation. */
  #promote(slot: number): void {
    const lists = this.#lists;
    lists.move(slot, PROTECTED);
    while (lists.weights[PROTECTED]! > this.#protectedMax) {
      const tail = lists.tails[PROTECTED]!;
      if (tail === slot) break;
      lists.move(tail, PROBATION);
    }
  }

  /** Moves window overflow into probation while the main region has room for it. */
  #drainWindow(): void {
    const lists = this.#lists;
    const w = lists.weights;
    while (w[WINDOW]! > this.#windowMax) {
      const candidate = lists.tails[WINDOW]!;
      if (w[PROBATION]! + w[PROTECTED]! + lists.weightOf(candidate) > this.#mainMax) return;
      lists.move(candidate, PROBATION);
    }
  }
}
