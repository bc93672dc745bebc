/**
 * A clock that can be moved forward at will, for warming a cache with past traffic faster than it
 * happened: the cache reads time from this clock, a replay advances it to each past request's
 * time, and afterwards it simply keeps running with the base clock, ahead of it by however much
 * the replay skipped. So an entry loaded at replayed second 10 with a 60 s TTL is gone at replayed
 * second 70, whether the replay took 60 s or 60 ms.
 *
 * Time only moves forward (the cache's invariants assume a monotonic clock). Wall time moves by the
 * same amount, so expiry times a cache writes to a shared tier stay consistent with its own reads.
 * Timers keep their real delays: they are I/O timeouts and housekeeping, which must not fire
 * because replayed time jumped. For the same reason a shared tier gets {@link WarpClock.tier}: it
 * measures its calls on monotonic time (deadlines, breaker, lease holds), and a call is not late
 * because the replay jumped ahead while it was on the wire.
 */
import type { Clock, TimerHandle } from 'headroom';

/** See the file comment. */
export class WarpClock implements Clock {
  readonly #base: Clock;
  #aheadMs = 0;
  /**
   * This clock as a cache's shared tier must see it: wall time warps (so the expiry the tier writes
   * and reads agrees with the cache's), monotonic time and timers are the base clock's, because the
   * tier times its I/O with them. On the warped monotonic time a replay stepping 10 ms per request
   * made calls answered in 8–130 ms look 250–790 ms old, and time out.
   */
  readonly tier: Clock;

  /** @param base - the clock it follows (the system clock in a replica) */
  constructor(base: Clock) {
    this.#base = base;
    this.tier = {
      now: () => base.now(),
      wallNow: () => this.wallNow(),
      setTimer: (delayMs, fn) => base.setTimer(delayMs, fn),
    };
  }

  now(): number {
    return this.#base.now() + this.#aheadMs;
  }

  wallNow(): number {
    return this.#base.wallNow() + this.#aheadMs;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.#base.setTimer(delayMs, fn);
  }

  /** How far ahead of the base clock it runs, ms. */
  get aheadMs(): number {
    return this.#aheadMs;
  }

  /** Moves time forward to `targetMs` (a value on this clock's scale); a target in the past changes nothing. */
  advanceTo(targetMs: number): void {
    const now = this.now();
    if (targetMs > now) this.#aheadMs += targetMs - now;
  }
}
