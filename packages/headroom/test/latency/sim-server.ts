/**
 * A simulated server for limiter tests in virtual time: `workers` requests are served at once,
 * each for a service time drawn uniformly from [1 − spread, 1 + spread] × `serviceMs`; the rest wait in an
 * unbounded FIFO queue. Its true concurrency capacity is `workers`, its throughput
 * `workers / serviceMs` per ms. Nothing here is a mock: it is the system under load.
 */
import type { Clock } from '../../src/core/clock.js';
import type { Random } from '../../src/core/random.js';
import type { VirtualClock } from '../../src/core/virtual-clock.js';
import { LatencyHistogram } from '../../src/core/histogram.js';
import type { ConcurrencyLimiter, Permit } from '../../src/latency/index.js';

export class SimServer {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #workers: number;
  readonly #serviceMs: number;
  readonly #spread: number;
  readonly #queue: Array<() => void> = [];
  #busy = 0;
  completed = 0;

  constructor(clock: Clock, random: Random, workers: number, serviceMs: number, spread = 0.5) {
    this.#spread = spread;
    this.#clock = clock;
    this.#random = random;
    this.#workers = workers;
    this.#serviceMs = serviceMs;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Resolves when the request has been served. */
  serve(): Promise<void> {
    return new Promise((resolve) => {
      const run = (): void => {
        this.#busy++;
        this.#clock.setTimer(this.#serviceMs * (1 - this.#spread + 2 * this.#spread * this.#random.next()), () => {
          this.#busy--;
          this.completed++;
          const next = this.#queue.shift();
          if (next !== undefined) next();
          resolve();
        });
      };
      if (this.#busy < this.#workers) run();
      else this.#queue.push(run);
    });
  }
}

/** Exponential inter-arrival gap for a Poisson process of `ratePerMs`. */
export function poissonGapMs(random: Random, ratePerMs: number): number {
  return -Math.log(1 - random.next()) / ratePerMs;
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
 * Drives a SimServer (workers W, service S ms) with Poisson arrivals at `load` × capacity through
 * the limiter (or none) for `durationMs`, in virtual time.
 */
export async function phase(
  clock: VirtualClock,
  server: SimServer,
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
  const arrive = (): void => {
    const now = clock.now();
    if (now >= end) return;
    const permit: Permit | undefined = limiter?.tryAcquire();
    if (limiter !== undefined && permit === undefined) {
      if (now >= half) rejected++;
    } else {
      void server.serve().then(() => {
        permit?.release('success');
        const ms = clock.now() - now;
        if (now >= half) {
          latency.record(ms);
          if (ms <= sloMs && clock.now() <= end) good++;
        }
      });
    }
    clock.setTimer(poissonGapMs(arrivals, load * capacityPerMs), arrive);
  };
  arrive();
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
