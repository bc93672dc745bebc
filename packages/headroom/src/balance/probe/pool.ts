/**
 * Prequal's probe pool (Wydrowski et al., NSDI 2024, §4): at most `capacity` recent probe replies,
 * one per endpoint (a new reply replaces the old one), each with the RIF and latency the server
 * reported, when it arrived and how often it has been used. Synchronous, fixed arrays, no
 * allocation after construction; `capacity` is small (16), so scans are cheap.
 *
 * Removal alternates between the *oldest* entry and the *worst* one: the hot entry with the
 * highest RIF when there is a hot one, else the entry with the highest latency.
 */

/** Fixed-capacity pool of probe replies. */
export class ProbePool {
  readonly capacity: number;
  readonly ids: (string | undefined)[];
  readonly rif: Float64Array;
  readonly latency: Float64Array;
  readonly receivedAt: Float64Array;
  readonly uses: Int32Array;
  size = 0;
  #removeWorstNext = true;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.ids = new Array<string | undefined>(capacity).fill(undefined);
    this.rif = new Float64Array(capacity);
    this.latency = new Float64Array(capacity);
    this.receivedAt = new Float64Array(capacity);
    this.uses = new Int32Array(capacity);
  }

  /** Adds (or replaces the entry of) `id`; when full, first removes one entry (alternating worst/oldest). */
  add(id: string, rif: number, latencyMs: number, now: number, hotAbove: number): void {
    let slot = this.indexOf(id);
    if (slot < 0) {
      if (this.size === this.capacity) this.removeOne(hotAbove);
      slot = this.size++;
    }
    this.ids[slot] = id;
    this.rif[slot] = rif;
    this.latency[slot] = latencyMs;
    this.receivedAt[slot] = now;
    this.uses[slot] = 0;
  }

  /** Slot of `id`, or -1. */
  indexOf(id: string): number {
    for (let k = 0; k < this.size; k++) if (this.ids[k] === id) return k;
    return -1;
  }

  /** Removes the entry in `slot` (the last entry moves into it). */
  remove(slot: number): void {
    const last = --this.size;
    if (slot !== last) {
      this.ids[slot] = this.ids[last];
      this.rif[slot] = this.rif[last]!;
      this.latency[slot] = this.latency[last]!;
      this.receivedAt[slot] = this.receivedAt[last]!;
      this.uses[slot] = this.uses[last]!;
    }
    this.ids[last] = undefined;
  }

  /** Drops entries received at or before `oldestMs`. */
  expire(oldestMs: number): void {
    for (let k = this.size - 1; k >= 0; k--) if (this.receivedAt[k]! <= oldestMs) this.remove(k);
  }

  /** Removes one entry: the worst and the oldest in turn. `hotAbove` is the RIF threshold of "hot". */
  removeOne(hotAbove: number): void {
    if (this.size === 0) return;
    const worst = this.#removeWorstNext;
    this.#removeWorstNext = !worst;
    this.remove(worst ? this.worst(hotAbove) : this.oldest());
  }

  /** Slot of the oldest entry. */
  oldest(): number {
    let best = 0;
    for (let k = 1; k < this.size; k++) if (this.receivedAt[k]! < this.receivedAt[best]!) best = k;
    return best;
  }

  /** Slot of the worst entry: the hottest (highest RIF above `hotAbove`) if any, else the slowest. */
  worst(hotAbove: number): number {
    let hot = -1;
    let slow = 0;
    for (let k = 0; k < this.size; k++) {
      const r = this.rif[k]!;
      if (r > hotAbove && (hot < 0 || r > this.rif[hot]!)) hot = k;
      if (this.latency[k]! > this.latency[slow]!) slow = k;
    }
    return hot >= 0 ? hot : slow;
  }

  /**
   * Prequal's hot-cold lexicographic rule over the entries `usable(slot)` accepts: among cold
   * entries (RIF ≤ `hotAbove`) the lowest latency; if every one is hot, the lowest RIF. Ties go to
   * the earlier slot. Returns -1 when none is usable.
   */
  select(hotAbove: number, usable: (slot: number) => boolean): number {
    let cold = -1;
    let hot = -1;
    for (let k = 0; k < this.size; k++) {
      if (!usable(k)) continue;
      if (this.rif[k]! <= hotAbove) {
        if (cold < 0 || this.latency[k]! < this.latency[cold]!) cold = k;
      } else if (hot < 0 || this.rif[k]! < this.rif[hot]!) {
        hot = k;
      }
    }
    return cold >= 0 ? cold : hot;
  }
}

/**
 * A sliding window of the last `size` RIF values seen in probe replies, with the Q-quantile of
 * the window as the hot/cold threshold. RIFs are counted in an integer histogram (values above
 * `maxRif` share the top bucket), so the quantile costs a scan up to the answer, not a sort.
 */
export class RifWindow {
  readonly #values: Int32Array;
  readonly #counts: Int32Array;
  #next = 0;
  #filled = 0;
  #cached = Infinity;
  #dirty = false;

  constructor(
    size: number,
    readonly quantile: number,
    maxRif = 4095,
  ) {
    this.#values = new Int32Array(size);
    this.#counts = new Int32Array(maxRif + 1);
  }

  /** Records one reply's RIF. */
  add(rif: number): void {
    const v = Math.min(Math.max(0, Math.round(rif)), this.#counts.length - 1);
    if (this.#filled === this.#values.length) this.#counts[this.#values[this.#next]!]!--;
    else this.#filled++;
    this.#values[this.#next] = v;
    this.#counts[v]!++;
    this.#next = (this.#next + 1) % this.#values.length;
    this.#dirty = true;
  }

  /** The RIF at the window's quantile (a reply is hot when its RIF is above it); Infinity while empty. */
  threshold(): number {
    if (!this.#dirty) return this.#cached;
    this.#dirty = false;
    const rank = Math.ceil(this.quantile * this.#filled);
    let seen = 0;
    for (let v = 0; v < this.#counts.length; v++) {
      seen += this.#counts[v]!;
      if (seen >= rank && seen > 0) return (this.#cached = v);
    }
    return (this.#cached = Infinity);
  }
}
