/**
 * Open-loop arrivals (as wrk2 and Gil Tene's "How NOT to measure latency" prescribe): requests are
 * scheduled at a set rate whether or not earlier ones have answered, and each is timed from its
 * *intended* send time. A server that stalls therefore shows every request that queued behind the
 * stall, instead of the generator quietly pausing — the coordinated-omission error. Because the
 * start is the intended time, the samples need no after-the-fact correction (`recordCorrected` is
 * for closed-loop generators); the generator's own lateness is counted against the service, which
 * is why the lab reports the generator's event-loop delay beside the results.
 *
 * Arrivals are Poisson (exponential gaps from the injected Random), so two phases with the same
 * seed see exactly the same schedule and the same keys.
 */
import type { Clock, TimerHandle, Random } from 'headroom';
import { invalidLabOption } from '../errors.js';

/** Options of {@link runOpenLoop}. */
export interface OpenLoopOptions {
  /** Mean arrival rate, requests per second (> 0). */
  readonly ratePerSec: number;
  /** How long to send for, ms (> 0). */
  readonly durationMs: number;
  readonly clock: Clock;
  /** Draws the exponential gaps. */
  readonly random: Random;
  /** Stops sending when aborted; the returned promise then resolves early. */
  readonly signal: AbortSignal;
  /** Called once per arrival with its intended send time (clock ms); must not throw. */
  readonly fire: (intendedMs: number) => void;
}

/**
 * Fires arrivals until `durationMs` has passed; resolves with the number fired. It does not wait
 * for the requests themselves.
 * @throws HR_LAB_INVALID_OPTION on a non-positive rate or duration
 */
export function runOpenLoop(options: OpenLoopOptions): Promise<number> {
  const { ratePerSec, durationMs, clock, random, signal, fire } = options;
  if (!(ratePerSec > 0 && Number.isFinite(ratePerSec)))
    throw invalidLabOption('rate', ratePerSec, 'use a positive number of requests per second');
  if (!(durationMs > 0 && Number.isFinite(durationMs))) throw invalidLabOption('duration', durationMs, 'use a positive duration');
  const start = clock.now();
  const end = start + durationMs;
  let next = start;
  let fired = 0;
  return new Promise<number>((resolve) => {
    let timer: TimerHandle | null = null;
    const finish = (): void => {
      timer?.cancel();
      signal.removeEventListener('abort', finish);
      resolve(fired);
    };
    const tick = (): void => {
      if (signal.aborted) return finish();
      const now = clock.now();
      while (next <= now && next < end) {
        fire(next);
        fired++;
        next += exponentialGapMs(random, ratePerSec);
      }
      if (next >= end) return finish();
      timer = clock.setTimer(next - clock.now(), tick);
    };
    signal.addEventListener('abort', finish, { once: true });
    tick();
  });
}

/** The gap to the next arrival of a Poisson process at `ratePerSec`, ms (exponentially distributed). */
export function exponentialGapMs(random: Random, ratePerSec: number): number {
  return -Math.log(1 - random.next()) * (1000 / ratePerSec);
}
