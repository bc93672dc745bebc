/**
 * The continuum shared by the ketama ring, the vnode ring and bounded-load hashing: sorted
 * unsigned 32-bit points, each owned by a node index; a key goes to the first point ≥ its hash,
 * wrapping to the first point (Karger et al., STOC 1997; libketama's lookup rule).
 *
 * Lookup is O(1) expected instead of a binary search: a bucket index over the top `bits` of the
 * hash (≈ one point per bucket) gives the first candidate, then a short linear scan. Memory:
 * 4 bytes per point for positions, 4 per point for owners, 4 per bucket (≤ 2 per point).
 * Equal points keep insertion order (a stable sort), and the lookup takes the first of them.
 */

/** A sorted continuum with O(1) expected successor lookup. */
export class Continuum {
  /** Sorted point positions. */
  readonly points: Uint32Array;
  /** owners[i] is the node index owning points[i]. */
  readonly owners: Uint32Array;
  readonly #buckets: Uint32Array;
  readonly #shift: number;

  /**
   * @param positions - point positions (unsigned 32-bit), any order
   * @param owners - node index of each position
   */
  constructor(positions: ArrayLike<number>, owners: ArrayLike<number>) {
    const n = positions.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // Stable: equal positions keep their insertion order (what a stable sort in libketama ports gives).
    const sorted = Array.from(order).sort((a, b) => positions[a]! - positions[b]! || a - b);
    this.points = new Uint32Array(n);
    this.owners = new Uint32Array(n);
    sorted.forEach((src, i) => {
      this.points[i] = positions[src]!;
      this.owners[i] = owners[src]!;
    });
    const bits = Math.min(24, Math.max(1, Math.floor(Math.log2(Math.max(2, n)))));
    this.#shift = 32 - bits;
    const bucketCount = 2 ** bits;
    this.#buckets = new Uint32Array(bucketCount + 1);
    let p = 0;
    for (let b = 0; b <= bucketCount; b++) {
      const floor = b * 2 ** this.#shift;
      while (p < n && this.points[p]! < floor) p++;
      this.#buckets[b] = p;
    }
  }

  /** Number of points. */
  get size(): number {
    return this.points.length;
  }

  /** Bytes held by the typed arrays. */
  get byteLength(): number {
    return this.points.byteLength + this.owners.byteLength + this.#buckets.byteLength;
  }

  /**
   * Index of the first point ≥ `hash`, or 0 when `hash` is past the last point.
   * @param hash - an unsigned 32-bit value
   */
  find(hash: number): number {
    const b = hash >>> this.#shift;
    let i = this.#buckets[b]!;
    const end = this.#buckets[b + 1]!;
    const points = this.points;
    while (i < end && points[i]! < hash) i++;
    return i === points.length ? 0 : i;
  }

  /** The node index owning the successor of `hash`. */
  ownerOf(hash: number): number {
    return this.owners[this.find(hash)]!;
  }

  /**
   * Walks clockwise from the successor of `hash`, collecting the first `n` distinct owners.
   * @param hash - an unsigned 32-bit value
   * @param n - number of distinct owners wanted (≤ the number of distinct owners)
   */
  distinctOwners(hash: number, n: number): number[] {
    const out: number[] = [];
    const size = this.points.length;
    for (let k = 0, i = this.find(hash); k < size && out.length < n; k++, i = i + 1 === size ? 0 : i + 1) {
      const owner = this.owners[i]!;
      if (!out.includes(owner)) out.push(owner);
    }
    return out;
  }
}
