/**
 * Intrusive doubly linked LRU lists over slot indices, stored in typed arrays (no object per
 * entry, no allocation per operation), with up to four segments sharing the same links —
 * plain LRU uses one, W-TinyLFU three (window, probation, protected). Head = most recent.
 * All operations O(1).
 */

const NONE = -1;

export class Segments {
  #prev: Int32Array;
  #next: Int32Array;
  #segment: Uint8Array;
  #weights: Uint32Array | undefined;
  /** Head slot per segment (most recently used), or -1. */
  readonly heads = new Int32Array(4).fill(NONE);
  /** Tail slot per segment (least recently used), or -1. */
  readonly tails = new Int32Array(4).fill(NONE);
  /** Total weight per segment. */
  readonly weights = new Float64Array(4);

  /** @param weighted - keep a weight per slot; otherwise every slot weighs 1 */
  constructor(capacity: number, weighted: boolean) {
    this.#prev = new Int32Array(capacity);
    this.#next = new Int32Array(capacity);
    this.#segment = new Uint8Array(capacity);
    this.#weights = weighted ? new Uint32Array(capacity) : undefined;
  }

  /** Grows the arrays (copying) so `capacity` slots fit. */
  ensureSlots(capacity: number): void {
    if (capacity <= this.#prev.length) return;
    const grow = <T extends Int32Array | Uint8Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.#prev = grow(this.#prev, (n) => new Int32Array(n));
    this.#next = grow(this.#next, (n) => new Int32Array(n));
    this.#segment = grow(this.#segment, (n) => new Uint8Array(n));
    if (this.#weights !== undefined) this.#weights = grow(this.#weights, (n) => new Uint32Array(n));
  }

  /** The segment a tracked slot is in. */
  segmentOf(slot: number): number {
    return this.#segment[slot]!;
  }

  /** The weight of a tracked slot. */
  weightOf(slot: number): number {
    return this.#weights === undefined ? 1 : this.#weights[slot]!;
  }

  /** Sets the weight of a tracked slot, adjusting its segment's total. */
  setWeight(slot: number, weight: number): void {
    if (this.#weights === undefined) return;
    this.weights[this.#segment[slot]!]! += weight - this.#weights[slot]!;
    this.#weights[slot] = weight;
  }

  /** The slot after `slot` towards the tail, or -1. */
  nextOf(slot: number): number {
    return this.#next[slot]!;
  }

  /** Links `slot` at the head of `segment` with `weight`. */
  pushHead(segment: number, slot: number, weight: number): void {
    const head = this.heads[segment]!;
    this.#prev[slot] = NONE;
    this.#next[slot] = head;
    if (head === NONE) this.tails[segment] = slot;
    else this.#prev[head] = slot;
    this.heads[segment] = slot;
    this.#segment[slot] = segment;
    if (this.#weights !== undefined) this.#weights[slot] = weight;
    this.weights[segment]! += weight;
  }

  /** Unlinks `slot` from its segment. */
  unlink(slot: number): void {
    const segment = this.#segment[slot]!;
    const prev = this.#prev[slot]!;
    const next = this.#next[slot]!;
    if (prev === NONE) this.heads[segment] = next;
    else this.#next[prev] = next;
    if (next === NONE) this.tails[segment] = prev;
    else this.#prev[next] = prev;
    this.weights[segment]! -= this.#weights === undefined ? 1 : this.#weights[slot]!;
  }

  /** Moves `slot` to the head of its own segment. */
  touch(slot: number): void {
    const segment = this.#segment[slot]!;
    const head = this.heads[segment]!;
    if (head === slot) return;
    const prev = this.#prev[slot]!;
    const next = this.#next[slot]!;
    // slot is not the head, so prev !== NONE.
    this.#next[prev] = next;
    if (next === NONE) this.tails[segment] = prev;
    else this.#prev[next] = prev;
    this.#prev[slot] = NONE;
    this.#next[slot] = head;
    this.#prev[head] = slot;
    this.heads[segment] = slot;
  }

  /** Moves `slot` to the head of `segment` (its weight moves with it). */
  move(slot: number, segment: number): void {
    const weight = this.weightOf(slot);
    this.unlink(slot);
    this.pushHead(segment, slot, weight);
  }

  /** Empties every segment. */
  clear(): void {
    this.heads.fill(NONE);
    this.tails.fill(NONE);
    this.weights.fill(0);
  }
}
