/**
 * The synchronous decision core of a fan-out: after each backend settles, is the call done —
 * every backend settled ('all'), k successes (quorum), or a quorum no longer reachable? `fanOut`
 * (fanout.ts) is the async driver over it; the simulator drives the same class per fan-out call.
 * The deadline is the driver's (it ends the wait whatever the tally says). O(1) per backend.
 */
import { intOption, invalidOption } from './options.js';

/** When a fan-out returns: every backend settled, or k successes. The deadline always bounds it. */
export type FanOutWait = 'all' | { readonly quorum: number };

/** Where a fan-out stands after a backend settled. */
export type FanOutProgress = 'waiting' | 'all-settled' | 'quorum-reached' | 'quorum-impossible';

/**
 * Counts a fan-out's answers against its wait condition.
 * @throws HR_LATENCY_INVALID_OPTION when the quorum is not an integer in 1..n, or n is 0 with a quorum
 * @example
 * ```ts
 * const tally = new FanOutTally(3, { quorum: 2 });
 * tally.settle(true);  // 'waiting'
 * tally.settle(true);  // 'quorum-reached': cancel the third backend
 * ```
 */
export class FanOutTally {
  /** Backends. */
  readonly n: number;
  /** Successes needed (n for 'all'). */
  readonly need: number;
  /** Successful backends so far. */
  ok = 0;
  /** Backends not settled yet. */
  pending: number;
  readonly #all: boolean;

  constructor(n: number, wait: FanOutWait = 'all') {
    this.#all = wait === 'all';
    this.need = wait === 'all' ? n : intOption('wait.quorum', wait.quorum, 1, 1, Math.max(1, n));
    if (!this.#all && n === 0) throw invalidOption('backends', n, 'give at least one backend for a quorum');
    this.n = n;
    this.pending = n;
  }

  /** One backend settled (`ok`: it succeeded); returns where the fan-out stands. */
  settle(ok: boolean): FanOutProgress {
    this.pending--;
    if (ok) this.ok++;
    if (!this.#all) {
      if (this.ok >= this.need) return 'quorum-reached';
      if (this.ok + this.pending < this.need) return 'quorum-impossible';
    }
    return this.pending === 0 ? 'all-settled' : 'waiting';
  }

  /** True when the wait condition was met: all succeeded ('all'), or k succeeded (quorum). */
  complete(): boolean {
    return this.ok >= this.need && (!this.#all || this.ok === this.n);
  }
}
