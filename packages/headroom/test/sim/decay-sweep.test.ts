/**
 * The two sides of peak-EWMA's decay window that settle its 3 s default, on the sweep's models
 * (3 replicas, one 10× slower, 20% load; mean over 3 seeds of 60 s): behind a busy client (event-loop
 * stalls) a longer τ remembers stalled RTTs and sends the slow replica more; behind a client that
 * does not stall, a short τ forgets the slow replica sooner and probes it more, which costs p99.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { runModel, type RunResult } from '../../src/sim/index.js';
import { decaySweepModel, type SweepClient } from '../../src/sim/scenarios/decay-sweep.js';

const SEEDS = 3;

function runs(client: SweepClient, decayMs: number): { share: number; p99: number; seeds: string } {
  const base = seedFromEnv(1);
  const rs: RunResult[] = [];
  for (let seed = base; seed < base + SEEDS; seed++)
    rs.push(runModel(decaySweepModel({ shape: 'slow-replica', utilization: 0.2, client, balancer: { type: 'peak-ewma', decayMs } }), seed));
  const mean = (f: (r: RunResult) => number): number => rs.reduce((a, r) => a + f(r), 0) / rs.length;
  return {
    share: mean((r) => r.served[0]! / r.served.reduce((a, b) => a + b, 0)),
    p99: mean((r) => r.latency.p99),
    seeds: `HEADROOM_SEED=${base} (seeds ${base}–${base + SEEDS - 1})`,
  };
}

test('busy client: the slow replica’s share grows with τ (stalled RTTs are remembered for τ·ln(spike/rtt))', () => {
  const [t1, t3, t10] = [1000, 3000, 10_000].map((tau) => runs('busy', tau));
  // Measured by the sweep: 3.4%, 4.3%, 5.4%; without client stalls all three are below 1%.
  assert.ok(t1!.share < t3!.share && t3!.share < t10!.share, `shares ${[t1, t3, t10].map((r) => r!.share.toFixed(4))} (${t1!.seeds})`);
  assert.ok(t10!.share > 2 * runs('none', 10_000).share, `client stalls drive the share up (${t1!.seeds})`);
});

test('no client stalls: τ = 1 s probes the slow replica often enough to cost p99; 3 s does not', () => {
  const [t1, t3, t10] = [1000, 3000, 10_000].map((tau) => runs('none', tau));
  // Measured by the sweep: p99 ≈ 0.21, 0.15, 0.14 × round-robin's for τ = 1, 3, 10 s.
  assert.ok(t1!.p99 > 1.3 * t3!.p99, `p99 ${t1!.p99.toFixed(1)} (τ = 1 s) vs ${t3!.p99.toFixed(1)} (τ = 3 s) (${t1!.seeds})`);
  assert.ok(t3!.p99 < 1.25 * t10!.p99, `p99 ${t3!.p99.toFixed(1)} (τ = 3 s) vs ${t10!.p99.toFixed(1)} (τ = 10 s) (${t1!.seeds})`);
});
