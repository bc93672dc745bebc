/**
 * A monotonic "now" for the hit path, re-read from the clock at most once per resolution.
 *
 * Source: lru-cache's `ttlResolution` (isaacs) does the same: with a TTL, every hit must compare
 * the entry's expiry with the time, and on Node `performance.now()` costs about as much as the
 * rest of a hit. Here the first read after the value was dropped asks the clock and arms one
 * clock timer (unref'd on the system clock) that drops it again after `resolutionMs`; every read
 * until then returns the same value.
 *
 * Complexity: O(1) per read; one timer per `resolutionMs` while reads happen, none when idle.
 * Limits: a value is at most `resolutionMs` old while the event loop turns; inside one long
 * synchronous stretch it is not refreshed at all (as lru-cache's), so expiry is detected late by
 * that much. Only the hit path uses it; expiry times are always computed from the real clock.
 */
import type { Clock } from '../core/clock.js';

export class CoarseNow {
  readonly #clock: Clock;
  readonly #resolutionMs: number;
  #now = 0;
  #valid = false;

  /** @param resolutionMs - how long a read value is reused, ms */
  constructor(clock: Clock, resolutionMs: number) {
    this.#clock = clock;
    this.#resolutionMs = resolutionMs;
  }

  /** The clock's time, as read at most `resolutionMs` ago. */
  now(): number {
    if (this.#valid) return this.#now;
    const now = this.#clock.now();
    this.#now = now;
    this.#valid = true;
    this.#clock.setTimer(this.#resolutionMs, this.#expire);
    return now;
  }

  readonly #expire = (): void => {
    this.#valid = false;
  };
}
