/**
 * Interleaved timing for micro-benchmarks on a noisy machine. This machine is shared (2 cores, other
 * jobs come and go), and timing one case after another lets a burst of outside load land on one
 * case only. Here every case runs in short batches, round-robin, in a rotating order, so all
 * cases see the same conditions; we report the median batch (typical) and the fastest batch
 * (closest to uncontended), and the ratio of medians to the named peer — all from one run.
 */
import { do_not_optimize } from 'mitata';
import type { ReportTable } from './harness.js';
import { median } from './summary.js';

/** Options of {@link interleaved}. */
export interface InterleavedOptions {
  /** Rounds per case; default 31. */
  readonly rounds?: number;
  /** Target duration of one batch; ms, default 4. */
  readonly batchMs?: number;
  /** Notes printed under the table. */
  readonly notes?: readonly string[];
}

/**
 * Times `cases` interleaved and returns a table: ns/op (median, best), ops/s (median) and the
 * ratio of medians to `peer`.
 */
export function interleaved(cases: Readonly<Record<string, () => unknown>>, peer: string, options: InterleavedOptions = {}): ReportTable {
  const plan = new Plan(cases, peer, options);
  for (const name of plan.names) {
    const fn = cases[name]!;
    for (let i = 0; i < 20_000; i++) do_not_optimize(fn());
    let calls = 0;
    const start = performance.now();
    while (performance.now() - start < plan.batchMs) {
      for (let i = 0; i < 100; i++) do_not_optimize(fn());
      calls += 100;
    }
    plan.batch.set(name, calls);
  }
  for (const [name, calls] of plan.order()) {
    const fn = cases[name]!;
    const start = performance.now();
    for (let i = 0; i < calls; i++) do_not_optimize(fn());
    plan.record(name, start, calls);
  }
  return plan.table();
}

/**
 * {@link interleaved} for cases that may return promises: a case whose first call returns a
 * promise is awaited on every call (as an application awaits it); the others run synchronously
 * in the same batches, so an async path and a synchronous peer are timed side by side. The event
 * loop turns between batches (pending I/O and timers run there, untimed).
 */
export async function interleavedAsync(
  cases: Readonly<Record<string, () => unknown>>,
  peer: string,
  options: InterleavedOptions = {},
): Promise<ReportTable> {
  const plan = new Plan(cases, peer, options);
  const awaited = new Set(plan.names.filter((name) => cases[name]!() instanceof Promise));
  const runBatch = async (name: string, calls: number): Promise<void> => {
    const fn = cases[name]!;
    if (awaited.has(name)) for (let i = 0; i < calls; i++) do_not_optimize(await fn());
    else for (let i = 0; i < calls; i++) do_not_optimize(fn());
  };
  // Awaiting promises that are already resolved never yields to the event loop, so without a turn
  // between batches a whole run would starve I/O: a cache with a Redis tier would then see its
  // invalidation channel fall silent and stop trusting L1. A server's loop turns between requests;
  // here it turns between batches (outside the timed part).
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  for (const name of plan.names) {
    // A longer warm-up than the synchronous variant's: with 20k calls, some runs kept a slower
    // optimization of the cache's getOrLoad for the whole run.
    for (let done = 0; done < 100_000; done += 10_000) {
      await runBatch(name, 10_000);
      await turn();
    }
    let calls = 0;
    const start = performance.now();
    while (performance.now() - start < plan.batchMs) {
      await runBatch(name, 100);
      calls += 100;
    }
    plan.batch.set(name, calls);
  }
  for (const [name, calls] of plan.order()) {
    await turn();
    const start = performance.now();
    await runBatch(name, calls);
    plan.record(name, start, calls);
  }
  return plan.table();
}

/** Calibrated batch sizes, the rotating order and the samples of one interleaved run. */
class Plan {
  readonly names: string[];
  readonly batchMs: number;
  readonly batch = new Map<string, number>();
  readonly #rounds: number;
  readonly #peer: string;
  readonly #notes: readonly string[];
  readonly #samples: Map<string, number[]>;

  constructor(cases: Readonly<Record<string, unknown>>, peer: string, options: InterleavedOptions) {
    if (!(peer in cases)) throw new Error(`peer "${peer}" is not one of the cases`);
    this.names = Object.keys(cases);
    this.#rounds = options.rounds ?? 31;
    this.batchMs = options.batchMs ?? 4;
    this.#peer = peer;
    this.#notes = options.notes ?? [];
    this.#samples = new Map(this.names.map((n) => [n, []]));
  }

  /** Every (case, calls) batch in run order: round-robin, the starting case rotating each round. */
  *order(): Generator<[string, number]> {
    for (let r = 0; r < this.#rounds; r++) {
      for (let k = 0; k < this.names.length; k++) {
        const name = this.names[(k + r) % this.names.length]!;
        yield [name, this.batch.get(name)!];
      }
    }
  }

  /** Records a batch of `calls` that started at `start` (performance.now()). */
  record(name: string, start: number, calls: number): void {
    this.#samples.get(name)!.push(((performance.now() - start) * 1e6) / calls);
  }

  table(): ReportTable {
    const peerNs = median(this.#samples.get(this.#peer)!);
    const rows = this.names.map((name) => {
      const s = this.#samples.get(name)!;
      const med = median(s);
      return [
        name,
        med.toFixed(1),
        Math.min(...s).toFixed(1),
        Math.round(1e9 / med).toLocaleString('en-US'),
        `${(peerNs / med).toFixed(2)}×`,
      ];
    });
    return {
      header: ['case', 'ns/op (median)', 'ns/op (best)', 'ops/s (median)', `vs ${this.#peer}`],
      rows,
      notes: [`${this.#rounds} interleaved batches of ≈ ${this.batchMs} ms per case.`, ...this.#notes],
    };
  }
}
