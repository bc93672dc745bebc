/**
 * A tiny open-loop load driver for the latency experiments: request i is *intended* at
 * start + i / rate, fired as soon as the (real) timer lets us, and timed from its intended start
 * by the caller — so a stalled client does not hide its own delay (no coordinated omission).
 */
import { systemClock } from '../../src/core/clock.js';

/**
 * Fires `fire(i, intendedMs)` at `ratePerSec` for `durationMs`; resolves when every call settled.
 * @param tickMs - how often the driver wakes to fire what is due
 */
export async function openLoop(
  ratePerSec: number,
  durationMs: number,
  fire: (i: number, intendedMs: number) => Promise<void>,
  tickMs = 2,
): Promise<number> {
  const total = Math.floor((ratePerSec * durationMs) / 1000);
  const gapMs = 1000 / ratePerSec;
  const start = systemClock.now();
  const pending: Array<Promise<void>> = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = systemClock.now();
      while (next < total && start + next * gapMs <= now) {
        pending.push(fire(next, start + next * gapMs));
        next++;
      }
      if (next < total) systemClock.setTimer(tickMs, tick);
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
  return total;
}
