/**
 * Limiter experiments in virtual time: the test kit's FIFO backend as the server (`workers`
 * requests served at once, each for a service time uniform in [1 − spread, 1 + spread] ×
 * `serviceMs`, the rest waiting in an unbounded FIFO queue; true concurrency capacity `workers`,
 * throughput `workers / serviceMs` per ms), driven by headroom/scale's open-loop driver at a
 * Poisson rate through a limiter (or none). Nothing here is a mock: it is the system under load.
 */
import { FifoBackend } from '@headroom/testkit/fifo-backend';
import type { Random } from '../../src/core/random.js';
import type { VirtualClock } from '../../src/core/virtual-clock.js';
import { LatencyHistogram } from '../../src/core/histogram.js';
import type { ConcurrencyLimiter } from '../../src/latency/index.js';
import { poissonRate, runOpenLoop } from '../../src/scale/index.js';

/** A server of `workers` × `serviceMs` ± `spread` (draws from `random`) on `clock`. */
export function simServer(clock: VirtualClock, random: Random, workers: number, serviceMs: number, spread = 0.5): FifoBackend {
  return new FifoBackend({ workers, clock, serviceMs: () => serviceMs * (1 - spread + 2 * spread * random.next()) });
}

export interface PhaseResult {
  /** Mean of the limit sampled every 10 ms over the phase's second half. */
  readonly meanLimit: number;
  /** Answers within the SLO per second over the second half, as a fraction of capacity. */
  readonly goodput: number;
  readonly rejected: number;
  /** p99 of the answers completed in the second half, ms (NaN when none completed). */
  readonly p99: number;
}

/**
 * Drives `server` (workers W, service S ms) with Poisson arrivals at `load` × capacity through
 * the limiter (or none) for `durationMs`, in virtual time. Requests still queued at the end carry
 * over into the next phase, as they would on a real server.
 */
export async function phase(
  clock: VirtualClock,
  server: FifoBackend,
  limiter: ConcurrencyLimiter | undefined,
  arrivals: Random,
  load: number,
  durationMs: number,
  W: number,
  S: number,
  sloMs: number,
): Promise<PhaseResult> {
  const capacityPerMs = W / S;
  const end = clock.now() + durationMs;
  const half = clock.now() + durationMs / 2;
  const latency = new LatencyHistogram();
  let good = 0;
  let rejected = 0;
  // Settles after the phase when requests are still queued; the next phase's clock advances it.
  void runOpenLoop(
    async ({ intendedMs }) => {
      const permit = limiter?.tryAcquire();
      if (limiter !== undefined && permit === undefined) {
        if (intendedMs >= half) rejected++;
        return;
      }
      await server.serve();
      permit?.release('success');
      const ms = clock.now() - intendedMs;
      if (intendedMs >= half) {
        latency.record(ms);
        if (ms <= sloMs && clock.now() <= end) good++;
      }
    },
    { schedule: poissonRate(load * capacityPerMs * 1000, durationMs), clock, random: arrivals },
  );
  let sum = 0;
  let samples = 0;
  while (clock.now() < end) {
    await clock.advanceBy(10);
    if (clock.now() > half) {
      sum += limiter?.limit ?? 0;
      samples++;
    }
  }
  return {
    meanLimit: sum / samples,
    goodput: good / ((durationMs / 2) * capacityPerMs),
    rejected,
    p99: latency.count === 0 ? NaN : latency.percentile(99),
  };
}
