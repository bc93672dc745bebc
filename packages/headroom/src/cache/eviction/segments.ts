/**
 * Intrusive doubly linked LRU lists over slot indices, with up to four segments sharing the
 * same links — plain LRU uses one, W-TinyLFU three (window, probation, protected). Head = most
 * recent. All operations O(1), no allocation.
 *
 * Layout: one Int32Array with a 16-byte record per slot — previous, next, segment and the key's
 * 32-bit hash — so a hit touches one cache line for its own links instead of one per array
 * (on a 100k-entry table with uniform access, memory latency dominates the hit path).
 */

const NONE = -1;
const STRIDE = 4;
const PREV = 0;
const NEXT = 1;
const SEGMENT = 2;
const HASH = 3;

export class Segments {
  #nodes: Int32Array;
  #weights: Uint32Array | undefined;
  /** Head slot per segment (most recently used), or -1. */
  readonly heads = new Int32Array(4).fill(NONE);
  /** Tail slot per segment (least recently used), or -1. */
  readonly tails = new Int32Array(4).fill(NONE);
  /** Total weight per segment. */
  readonly weights = new Float64Array(4);

  /** @param weighted - keep a weight per slot; otherwise every slot weighs 1 */
  constructor(capacity: number, weighted: boolean) {
    this.#nodes = new Int32Array(capacity * STRIDE);
    this.#weights = weighted ? new Uint32Array(capacity) : undefined;
  }

  /** Grows the arrays (copying) so `capacity` slots fit. */
  ensureSlots(capacity: number): void {
    if (capacity * STRIDE <= this.#nodes.length) return;
    const nodes = new Int32Array(capacity * STRIDE);
    nodes.set(this.#nodes);
    this.#nodes = nodes;
    if (this.#weights !== undefined) {
      const weights = new Uint32Array(capacity);
      weights.set(this.#weights);
      this.#weights = weights;
    }
  }

  /** The segment a tracked slot is in. */
  segmentOf(slot: number): number {
    return this.#nodes[slot * STRIDE + SEGMENT]!;
  }

  /** The 32-bit key hash stored with a slot. */
  hashOf(slot: number): number {
    return this.#nodes[slot * STRIDE + HASH]! >>> 0;
  }

  /** Stores the key's 32-bit hash with a slot. */
  setHash(slot: number, hash: number): void {
    this.#nodes[slot * STRIDE + HASH] = hash | 0;
  }

  /** The weight of a tracked slot. */
  weightOf(slot: number): number {
    return this.#weights === undefined ? 1 : this.#weights[slot]!;
  }

  /** Sets the weight of a tracked slot, adjusting its segment's total. */
  setWeight(slot: number, weight: number): void {
    if (this.#weights === undefined) return;
    this.weights[this.segmentOf(slot)]! += weight - this.#weights[slot]!;
    this.#weights[slot] = weight;
  }

  /** Links `slot` at the head of `segment` with `weight`. */
  pushHead(segment: number, slot: number, weight: number): void {
    const nodes = this.#nodes;
    const at = slot * STRIDE;
    const head = this.heads[segment]!;
    nodes[at + PREV] = NONE;
    nodes[at + NEXT] = head;
    nodes[at + SEGMENT] = segment;
    if (head === NONE) this.tails[segment] = slot;
    else nodes[head * STRIDE + PREV] = slot;
    this.heads[segment] = slot;
    if (this.#weights !== undefined) this.#weights[slot] = weight;
    this.weights[segment]! += weight;
  }

  /** Unlinks `slot` from its segment. */
  unlink(slot: number): void {
    const nodes = this.#nodes;
    const at = slot * STRIDE;
    const segment = nodes[at + SEGMENT]!;
    const prev = nodes[at + PREV]!;
    const next = nodes[at + NEXT]!;
    if (prev === NONE) this.heads[segment] = next;
    else nodes[prev * STRIDE + NEXT] = next;
    if (next === NONE) this.tails[segment] = prev;
    else nodes[next * STRIDE + PREV] = prev;
    this.weights[segment]! -= this.#weights === undefined ? 1 : this.#weights[slot]!;
  }

  /** Moves `slot` to the head of its own segment. */
  touch(slot: number): void {
    const nodes = this.#nodes;
    const at = slot * STRIDE;
    const segment = nodes[at + SEGMENT]!;
    const head = this.heads[segment]!;
    if (head === slot) return;
    const prev = nodes[at + PREV]!;
    const next = nodes[at + NEXT]!;
    // slot is not the head, so prev !== NONE.
    nodes[prev * STRIDE + NEXT] = next;
    if (next === NONE) this.tails[segment] = prev;
    else nodes[next * STRIDE + PREV] = prev;
    nodes[at + PREV] = NONE;
    nodes[at + NEXT] = head;
    nodes[head * STRIDE + PREV] = slot;
    this.heads[segment] = slot;
  }

  /** Moves `slot` to the head of `segment` (its weight moves with it). */
  move(slot: number, segment: number): void {
    const weight = this.weightOf(slot);
    this.unlink(slot);
    this.pushHead(segment, slot, weight);
  }

  /**
   * Moves every slot of segment `from` behind the tail of segment `to` (they become its least
   * recently used, in their order), leaving `from` empty. O(slots moved): each is relabelled.
   */
  append(from: number, to: number): void {
    const first = this.heads[from]!;
    if (first === NONE) return;
    const nodes = this.#nodes;
    for (let slot = first; slot !== NONE; slot = nodes[slot * STRIDE + NEXT]!) nodes[slot * STRIDE + SEGMENT] = to;
    const tail = this.tails[to]!;
    if (tail === NONE) this.heads[to] = first;
    else {
      nodes[tail * STRIDE + NEXT] = first;
      nodes[first * STRIDE + PREV] = tail;
    }
    this.tails[to] = this.tails[from]!;
    this.weights[to]! += this.weights[from]!;
    this.heads[from] = NONE;
    this.tails[from] = NONE;
    this.weights[from] = 0;
  }

  /** Empties every segment. */
  clear(): void {
    this.heads.fill(NONE);
    this.tails.fill(NONE);
    this.weights.fill(0);
  }
}
