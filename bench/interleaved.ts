/**
 * Interleaved timing for micro-benchmarks on a noisy machine. This machine is shared (2 cores, other
 * jobs come and go), and timing one case after another lets a burst of outside load land on one
 * case only. Here every case runs in short batches, round-robin, in a rotating order, so all
 * cases see the same conditions; we report the median batch (typical) and the fastest batch
 * (closest to uncontended), and the ratio of medians to the named peer — all from one run.
 */
import { do_not_optimize } from 'mitata';
import type { ReportTable } from './harness.js';

/** Options of {@link interleaved}. */
export interface InterleavedOptions {
  /** Rounds per case; default 31. */
  readonly rounds?: number;
  /** Target duration of one batch; ms, default 4. */
  readonly batchMs?: number;
  /** Notes printed under the table. */
  readonly notes?: readonly string[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/**
 * Times `cases` interleaved and returns a table: ns/op (median, best), ops/s (median) and the
 * ratio of medians to `peer`.
 */
export function interleaved(cases: Readonly<Record<string, () => unknown>>, peer: string, options: InterleavedOptions = {}): ReportTable {
  if (!(peer in cases)) throw new Error(`peer "${peer}" is not one of the cases`);
  const rounds = options.rounds ?? 31;
  const batchMs = options.batchMs ?? 4;
  const names = Object.keys(cases);
  // Calibrate: calls per batch so one batch takes about batchMs (after a warm-up).
  const batch = new Map<string, number>();
  for (const name of names) {
    const fn = cases[name]!;
    for (let i = 0; i < 20_000; i++) do_not_optimize(fn());
    let calls = 0;
    const start = performance.now();
    while (performance.now() - start < batchMs) {
      for (let i = 0; i < 100; i++) do_not_optimize(fn());
      calls += 100;
    }
    batch.set(name, calls);
  }
  const samples = new Map<string, number[]>(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length]!;
      const fn = cases[name]!;
      const calls = batch.get(name)!;
      const start = performance.now();
      for (let i = 0; i < calls; i++) do_not_optimize(fn());
      samples.get(name)!.push(((performance.now() - start) * 1e6) / calls);
    }
  }
  const peerNs = median(samples.get(peer)!);
  const rows = names.map((name) => {
    const s = samples.get(name)!;
    const med = median(s);
    return [name, med.toFixed(1), Math.min(...s).toFixed(1), Math.round(1e9 / med).toLocaleString('en-US'), `${(peerNs / med).toFixed(2)}×`];
  });
  return {
    header: ['case', 'ns/op (median)', 'ns/op (best)', 'ops/s (median)', `vs ${peer}`],
    rows,
    notes: [`${rounds} interleaved batches of ≈ ${batchMs} ms per case.`, ...(options.notes ?? [])],
  };
}
