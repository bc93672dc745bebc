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
    const blockHash = spread(hash);
    const counterHash = rehash(blockHash);
    const block = (blockHash & this.#blockMask) * BLOCK_WORDS;
    const table = this.#table;
    let min = 15;
    for (let i = 0; i < 4; i++) {
      const h = counterHash >>> (i << 3);
      const shift = ((h >>> 2) & 7) << 2;
      const count = (table[block + (i << 2) + (h & 3)]! >>> shift) & 15;
      if (count < min) min = count;
    }
    return min;
  }

  /** Records one occurrence of `hash`; halves every counter after `sampleSize` increments. */
  increment(hash: number): void {
    const blockHash = spread(hash);
    const counterHash = rehash(blockHash);
    const block = (blockHash & this.#blockMask) * BLOCK_WORDS;
    const table = this.#table;
    let added = false;
    for (let i = 0; i < 4; i++) {
      const h = counterHash >>> (i << 3);
      const index = block + (i << 2) + (h & 3);
      const shift = ((h >>> 2) & 7) << 2;
      const word = table[index]!;
      if (((word >>> shift) & 15) !== 15) {
        table[index] = word + (1 << shift);
        added = true;
      }
    }
    if (added && ++this.#size >= this.#sampleSize) this.#halve();
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

/** Mixes the stored key hash so block choice and counter choice are independent. */
function spread(x: number): number {
  let h = Math.imul(x ^ (x >>> 17), 0xed5ad4bb);
  h = Math.imul(h ^ (h >>> 11), 0xac4c1b51);
  h = Math.imul(h ^ (h >>> 15), 0x31848bab);
  return (h ^ (h >>> 14)) >>> 0;
}

function rehash(x: number): number {
  const h = Math.imul(x, 0x31848bab);
  return (h ^ (h >>> 14)) >>> 0;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
