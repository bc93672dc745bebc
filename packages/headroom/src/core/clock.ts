/**
 * Injected time. Policies never read the wall clock or schedule timers themselves; they take a
 * {@link Clock}, so tests and the simulator run them in virtual time.
 */

/** A scheduled callback; `cancel()` is idempotent and harmless after the timer fired. */
export interface TimerHandle {
  /** Prevents the callback from running if it has not run yet. */
  cancel(): void;
}

/** A source of time and timers. */
export interface Clock {
  /** Monotonic milliseconds (may be fractional); only differences are meaningful. */
  now(): number;
  /** Epoch milliseconds; only for logs and cross-instance leases, never for measuring intervals. */
  wallNow(): number;
  /**
   * Runs `fn` once after `delayMs`. On the system clock the timer never keeps the process alive.
   * @param delayMs - delay in milliseconds; negative values count as 0
   */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  /**
   * Keeps the process alive until the handle is cancelled: for work a caller awaits on purpose (a
   * load run), whose own timers, like every Headroom timer, would not. Optional; a clock without
   * it (a virtual clock) has no process to keep alive.
   */
  keepAlive?(): TimerHandle;
}

/**
 * The real clock: `performance.now()` for monotonic time, `Date.now()` for wall time, and
 * `setTimeout` timers that are `unref`'d so no Headroom timer keeps a process alive.
 */
export class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }

  wallNow(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  }

  keepAlive(): TimerHandle {
    // A referenced timer that never fires (the longest delay Node accepts, re-armed) holds the event loop open.
    const timer = setInterval(() => undefined, 2 ** 31 - 1);
    return { cancel: () => clearInterval(timer) };
  }
}

/** The shared system clock instance, the default wherever a `clock` option is omitted. */
export const systemClock: Clock = new SystemClock();

/**
 * Resolves after `ms` on `clock`; rejects with `signal.reason` if the signal aborts first.
 * The timer is cancelled on abort, so nothing leaks.
 * @example await sleep(clock, 100, AbortSignal.timeout(50)) // rejects with a TimeoutError
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timer.cancel();
      reject(signal!.reason);
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
