/**
 * A bimodal latency source for hedging tests in virtual time: each attempt takes
 * `medianMs × U(0.8, 1.2)`, except a fraction `stallRate` that takes `stallFactor × medianMs`.
 * Attempts are independent (a stall hits one request, not the replica), and honour their signal.
 */
import { sleep } from '../../src/core/clock.js';
import type { VirtualClock } from '../../src/core/virtual-clock.js';
import type { Random } from '../../src/core/random.js';
import { LatencyHistogram } from '../../src/core/histogram.js';
import type { Policy } from '../../src/latency/index.js';

export interface BimodalRun {
  readonly histogram: LatencyHistogram;
  readonly attempts: number;
}

/** Runs `calls` calls, one every `gapMs`, through `policy` (or bare when undefined). */
export async function runBimodal(
  clock: VirtualClock,
  random: Random,
  policy: Policy | undefined,
  calls: number,
  options: { medianMs?: number; stallRate?: number; stallFactor?: number; gapMs?: number } = {},
): Promise<BimodalRun> {
  const medianMs = options.medianMs ?? 10;
  const stallRate = options.stallRate ?? 0.01;
  const stallFactor = options.stallFactor ?? 100;
  const gapMs = options.gapMs ?? 1;
  const histogram = new LatencyHistogram();
  let attempts = 0;
  const attempt = (signal: AbortSignal): Promise<void> => {
    attempts++;
    const ms = random.chance(stallRate) ? stallFactor * medianMs : medianMs * (0.8 + 0.4 * random.next());
    return sleep(clock, ms, signal);
  };
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < calls; i++) {
    const start = clock.now();
    const call = policy === undefined ? attempt(new AbortController().signal) : policy.execute(({ signal }) => attempt(signal));
    pending.push(call.then(() => histogram.record(clock.now() - start)));
    await clock.advanceBy(gapMs);
  }
  await clock.runUntilIdle();
  await Promise.all(pending);
  return { histogram, attempts };
}
