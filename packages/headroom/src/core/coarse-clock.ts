/**
 * A clock whose `now()` is re-read from another clock at most once per resolution: a {@link Clock}
 * like any other, for hot paths that compare times often and can be a millisecond late.
 *
 * Source: lru-cache's `ttlResolution` (isaacs) does the same: with a TTL, every hit must compare
 * the entry's expiry with the time, and on Node `performance.now()` costs about as much as the
 * rest of a hit. The first read after the value was dropped asks the base clock and arms one
 * base-clock timer (unref'd on the system clock) that drops it again after `resolutionMs`; every
 * read until then returns the same value. `wallNow()` and `setTimer()` are the base clock's.
 *
 * The cache's default clock is one over the system clock; in a test or a simulation, one over a
 * `VirtualClock` behaves exactly as it does in production.
 *
 * Complexity: O(1) per read; one timer per `resolutionMs` while reads happen, none when idle.
 * Limits: a value is at most `resolutionMs` old while the event loop turns; inside one long
 * synchronous stretch it is not refreshed at all (as lru-cache's), so what is compared with it
 * (an expiry, a duration) is off by up to that much.
 */
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { InvalidOptionError } from './errors.js';

/**
 * A {@link Clock} that reads its base clock at most once per `resolutionMs`.
 *
 * @example
 * ```ts
 * const clock = new CoarseClock(systemClock, 1); // the cache's default
 * const cache = new Cache({ ttl: '30s', clock: new CoarseClock(new VirtualClock(), 1) }); // production's behaviour, in virtual time
 * ```
 */
export class CoarseClock implements Clock {
  readonly #base: Clock;
  readonly #resolutionMs: number;
  #now = 0;
  #valid = false;

  /**
   * @param base - the clock read, default the system clock
   * @param resolutionMs - how long a reading is reused, ms; default 1
   * @throws HR_CORE_INVALID_OPTION when `resolutionMs` is not a positive finite number
   */
  constructor(base: Clock = systemClock, resolutionMs = 1) {
    if (!(resolutionMs > 0 && Number.isFinite(resolutionMs))) {
      throw new InvalidOptionError('CoarseClock.resolutionMs', resolutionMs, 'use a positive number of milliseconds, e.g. 1');
    }
    this.#base = base;
    this.#resolutionMs = resolutionMs;
  }

  /** The base clock's time, as read at most `resolutionMs` ago. */
  now(): number {
    if (this.#valid) return this.#now;
    const now = this.#base.now();
    this.#now = now;
    this.#valid = true;
    this.#base.setTimer(this.#resolutionMs, this.#expire);
    return now;
  }

  /** The base clock's wall time, read now. */
  wallNow(): number {
    return this.#base.wallNow();
  }

  /** A timer on the base clock. */
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.#base.setTimer(delayMs, fn);
  }

  readonly #expire = (): void => {
    this.#valid = false;
  };
}
