/**
 * The picker seam: a picker chooses one index among the current candidates, synchronously and
 * without allocating. It sees endpoints only through {@link Candidates}, so it can be unit-tested
 * with a plain fake and driven by the simulator, the balancer and the undici adapter alike.
 */
import type { Random } from '../core/random.js';

/**
 * The endpoints a picker may choose from right now (healthy, not ejected, not draining — or, in
 * panic, every member that is not draining), by dense index `0 … size-1`.
 */
export interface Candidates {
  /** Number of candidates; 0 means nothing can be picked. */
  readonly size: number;
  /** Changes whenever the list of candidates changes (membership, health, ejection, panic). */
  readonly listVersion: number;
  /** Changes whenever the list or any effective weight changes (includes every `listVersion` change). */
  readonly weightVersion: number;
  /** Effective weight of candidate `i` (configured weight × slow-start factor), > 0. */
  weight(i: number): number;
  /** Requests in flight per candidate index (kept up to date in O(1) per request, for bounded-load placement). */
  readonly inflight: ArrayLike<number>;
  /** Sum of `inflight`. */
  readonly totalInflight: number;
  /** Expected cost of one more request to candidate `i` at `now` (ms), from the balancer's load metric. */
  load(i: number, now: number): number;
  /** Stable id of candidate `i` (for pickers that place keys). */
  id(i: number): string;
}

/** A stateful chooser. `pick` returns a candidate index, or -1 when `c.size` is 0. */
export interface Picker {
  /**
   * Chooses one candidate.
   * @param c - the current candidates
   * @param now - the balancer clock's `now()`, ms
   * @param key - an affinity key, used by key-placing pickers only
   */
  pick(c: Candidates, now: number, key: string | undefined): number;
}

/**
 * Describes a picker and makes one per balancer (pickers keep per-balancer state such as a
 * round-robin cursor).
 */
export interface PickerFactory {
  /** Short name for logs, snapshots and benchmark tables, e.g. `'p2c'`. */
  readonly name: string;
  /**
   * True when the picker follows effective weights pick by pick, so slow start (which ramps them)
   * takes effect; false for pickers that ignore weights or, like hash affinity, must not move keys as they ramp.
   */
  readonly supportsSlowStart: boolean;
  /** True when the picker needs a `key` on every pick (hash affinity). */
  readonly needsKey: boolean;
  /** Makes a picker drawing from `random` (the balancer passes its own fork). */
  create(context: { readonly random: Random }): Picker;
}
