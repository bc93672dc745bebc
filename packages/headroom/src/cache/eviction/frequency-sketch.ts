/**
 * A 4-bit count-min sketch with periodic halving — the frequency filter of TinyLFU.
 *
 * Source: G. Einziger, R. Friedman, B. Manes, "TinyLFU: A Highly Efficient Cache Admission
 * Policy", ACM ToS 2017; layout after Caffeine's `FrequencySketch` (B. Manes): each key maps to
 * one 64-byte block (16 × 32-bit words of eight 4-bit counters) and to four counters inside it,
 * so an increment touches one cache line.
 *
 * Complexity: `increment` and `frequency` are O(1) (four counters); every `sampleSize`
 * increments all counters are halved (O(table)), which ages old popularity so the sketch
 * follows a shifting workload ("reset" in the paper). Counters saturate at 15.
 *
 * Limits: estimates only over-count (count-min); with 16 counters per expected entry the
 * error is small for the top of the distribution, which is what admission needs. Keys arrive
 * as 32-bit hashes, so a hash-flooding client can inflate a victim's estimate; the admission
 * policy (tinylfu.ts) adds a small random admission to blunt that.
 */

/** Number of 32-bit words per block (64 bytes). */
const BLOCK_WORDS = 16;

export class FrequencySketch {
  #table: Uint32Array = new Uint32Array(BLOCK_WORDS);
  #blockMask = 0;
  #sampleSize = 10;
  #size = 0;
  #capacity = 0;

  /** @param expectedEntries - the number of entries the cache holds when full (grows later via ensureCapacity) */
  constructor(expectedEntries: number) {
    this.ensureCapacity(expectedEntries);
  }

  /** Entries the table is sized for. */
  get capacity(): number {
    return this.#capacity;
  }

  /**
   * Grows the table so it suits `entries` keys (16 counters per key, rounded to a power of two).
   * Growing forgets the recorded frequencies, as Caffeine does; shrinking never happens.
   */
  ensureCapacity(entries: number): void {
    const want = Math.max(1, Math.min(Math.ceil(entries), 1 << 26));
    if (want <= this.#capacity) return;
    // 16 counters per entry = 2 words per entry; at least one block.
    let words = BLOCK_WORDS;
    while (words < want * 2) words *= 2;
    this.#table = new Uint32Array(words);
    this.#blockMask = words / BLOCK_WORDS - 1;
    this.#capacity = want;
    this.#sampleSize = 10 * want;
    this.#size = 0;
  }

  /** Estimated number of recent occurrences of `hash` (0–15). */
  frequency(hash: number): number {
    const counterHash = rehash(hash);
    const table = this.#table;
    const block = (hash & this.#blockMask) * BLOCK_WORDS;
    const a = (table[block + (counterHash & 3)]! >>> (((counterHash >>> 2) & 7) << 2)) & 15;
    const b = (table[block + 4 + ((counterHash >>> 8) & 3)]! >>> (((counterHash >>> 10) & 7) << 2)) & 15;
    const c = (table[block + 8 + ((counterHash >>> 16) & 3)]! >>> (((counterHash >>> 18) & 7) << 2)) & 15;
    const d = (table[block + 12 + ((counterHash >>> 24) & 3)]! >>> (((counterHash >>> 26) & 7) << 2)) & 15;
    return Math.min(a, b, c, d);
  }

  /** Records one occurrence of `hash`; halves every counter after `sampleSize` increments. */
  increment(hash: number): void {
    const counterHash = rehash(hash);
    const table = this.#table;
    const block = (hash & this.#blockMask) * BLOCK_WORDS;
    // Four counters, one per 4-word quarter of the block (unrolled: this runs on every hit).
    const added =
      bump(table, block + (counterHash & 3), ((counterHash >>> 2) & 7) << 2) |
      bump(table, block + 4 + ((counterHash >>> 8) & 3), ((counterHash >>> 10) & 7) << 2) |
      bump(table, block + 8 + ((counterHash >>> 16) & 3), ((counterHash >>> 18) & 7) << 2) |
      bump(table, block + 12 + ((counterHash >>> 24) & 3), ((counterHash >>> 26) & 7) << 2);
    if (added !== 0 && ++this.#size >= this.#sampleSize) this.#halve();
  }

  /** Forgets every recorded frequency. */
  clear(): void {
    this.#table.fill(0);
    this.#size = 0;
  }

  #halve(): void {
    const table = this.#table;
    let odd = 0;
    for (let i = 0; i < table.length; i++) {
      const word = table[i]!;
      odd += popcount(word & 0x11111111);
      table[i] = (word >>> 1) & 0x77777777;
    }
    // Counters that were odd lost half an increment each; subtract them as Caffeine does.
    this.#size = (this.#size - (odd >>> 2)) >>> 1;
  }
}

/** Increments the 4-bit counter at `shift` in `table[index]` unless saturated; 1 when it did. */
function bump(table: Uint32Array, index: number, shift: number): number {
  const word = table[index]!;
  if (((word >>> shift) & 15) === 15) return 0;
  table[index] = word + (1 << shift);
  return 1;
}

/**
 * Derives the counter positions from the key hash. The hash is xxHash32 of the key, already
 * well mixed, so it picks the block directly; this multiply decorrelates the counter bits.
 */
function rehash(x: number): number {
  const h = Math.imul(x ^ (x >>> 16), 0x31848bab);
  return (h ^ (h >>> 14)) >>> 0;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
