/**
 * A simulated server for limiter tests in virtual time: `workers` requests are served at once,
 * each for a service time drawn uniformly from [1 − spread, 1 + spread] × `serviceMs`; the rest wait in an
 * unbounded FIFO queue. Its true concurrency capacity is `workers`, its throughput
 * `workers / serviceMs` per ms. Nothing here is a mock: it is the system under load.
 */
import type { Clock } from '../../src/core/clock.js';
import type { Random } from '../../src/core/random.js';

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
