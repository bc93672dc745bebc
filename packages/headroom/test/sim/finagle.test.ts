/**
 * Reproduction 7: Finagle's balancer simulation (finagle-benchmark's balancersim.Simulation),
 * `slowmiddle` and `coldstart`, in virtual time, with the real round-robin, p2c and p2c +
 * peak-EWMA objects. Each assertion holds on every one of 3 seeds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { loadDeviation, runModel, variantModels, type ModelSpec, type RunResult } from '../../src/sim/index.js';
import { FINAGLE_EXTRA_BACKEND, finagleColdStart, finagleSlowMiddle } from '../../src/sim/scenarios/finagle.js';

const SEEDS = 3;
const SLOW = FINAGLE_EXTRA_BACKEND;

interface Timed {
  readonly result: RunResult;
  readonly cpuMs: number;
}

/** Runs `model` and measures the CPU time it took (user + system, this process): unlike the wall time, it does not grow when the machine is busy. */
function timed(model: ModelSpec, seed: number): Timed {
  const before = process.cpuUsage();
  const result = runModel(model, seed);
  const used = process.cpuUsage(before);
  return { result, cpuMs: (used.user + used.system) / 1000 };
}

const cpuTimes: number[] = [];

test('slowmiddle: p2c + peak-EWMA sends the slow backend far less than its share; round-robin’s p99 is the slow backend’s', () => {
  const base = seedFromEnv(1);
  for (let seed = base; seed < base + SEEDS; seed++) {
    const replay = `HEADROOM_SEED=${base}, seed ${seed}`;
    const runs = new Map<string, { full: RunResult; slowWindow: number; windowCalls: number }>();
    for (const { name, model } of variantModels(finagleSlowMiddle)) {
      const full = timed(model, seed);
      cpuTimes.push(full.cpuMs);
      // The first 15 s (before the slow-down) replay exactly with duration 15 s: the difference is what 15–45 s sent.
      const before = runModel({ ...model, duration: '15s' }, seed);
      runs.set(name, {
        full: full.result,
        slowWindow: full.result.served[SLOW]! - before.served[SLOW]!,
        windowCalls: full.result.calls - before.calls,
      });
    }
    const rr = runs.get('round-robin')!;
    const p2c = runs.get('p2c')!;
    const ewma = runs.get('p2c+peak-ewma')!;
    const fair = 1 / 11;
    // Round-robin: exactly 1/11 each, so 2/3 × 1/11 ≈ 6% of the calls take 10 × ≈167 ms: p99 ≥ 1.6 s.
    assert.ok(loadDeviation(rr.full.served).maxDeviationPercent < 0.1, `round-robin is even (${replay})`);
    assert.ok(rr.full.latency.p99 > 1600, `round-robin p99 ${rr.full.latency.p99} ms is a slow answer (${replay})`);
    assert.ok(rr.full.latency.p99 > 5 * ewma.full.latency.p99, `round-robin p99 ≫ p2c + peak-EWMA's (${replay})`);
    // Slow window: p2c + peak-EWMA far below 1/10 of the fair share (measured ≈ 0.03 of it), and below p2c alone.
    const ewmaShare = ewma.slowWindow / ewma.windowCalls;
    const p2cShare = p2c.slowWindow / p2c.windowCalls;
    assert.ok(ewmaShare < fair / 10, `p2c + peak-EWMA sent ${(ewmaShare * 100).toFixed(2)}% to the slow backend (${replay})`);
    assert.ok(p2cShare < fair / 2, `p2c sent ${(p2cShare * 100).toFixed(2)}% to the slow backend (${replay})`);
    assert.ok(ewmaShare < p2cShare, `peak-EWMA (${ewmaShare}) avoids it more than outstanding alone (${p2cShare}) (${replay})`);
    // The body is the fast backends' for every balancer.
    for (const r of [rr, p2c, ewma])
      assert.ok(r.full.latency.p50 > 164 && r.full.latency.p50 < 172, `p50 ${r.full.latency.p50} (${replay})`);
  }
});

test('coldstart: the balancers that see load keep p99 near the fast backends’, round-robin does not', () => {
  const base = seedFromEnv(1);
  for (let seed = base; seed < base + SEEDS; seed++) {
    const replay = `HEADROOM_SEED=${base}, seed ${seed}`;
    const byName = new Map(
      variantModels(finagleColdStart).map(({ name, model }) => {
        const t = timed(model, seed);
        cpuTimes.push(t.cpuMs);
        return [name, t.result] as const;
      }),
    );
    const rr = byName.get('round-robin')!;
    const p2c = byName.get('p2c')!;
    const ewma = byName.get('p2c+peak-ewma')!;
    // Round-robin gives the cold/slow backend 1/11 of 45 s, ≈ 1.5% of all calls slowed 2–10×: p99 well above 200 ms.
    assert.ok(rr.latency.p99 > 400, `round-robin p99 ${rr.latency.p99} (${replay})`);
    for (const r of [p2c, ewma]) assert.ok(r.latency.p99 < 210, `p99 ${r.latency.p99} stays with the fast backends (${replay})`);
    assert.ok(ewma.served[SLOW]! < p2c.served[SLOW]!, `peak-EWMA sends the cold backend less than p2c (${replay})`);
  }
});

test('a 45 s scenario runs in well under its simulated time (the speed figure is the bench’s)', () => {
  // CPU time, not wall time, so that a loaded machine cannot fail it; loose on purpose (10× real
  // time on the fastest run); `npm run bench -- sim/finagle` measures the figure docs/sim.md quotes.
  assert.ok(cpuTimes.length >= 9);
  assert.ok(Math.min(...cpuTimes) < 4500, `fastest 45 s run took ${Math.min(...cpuTimes).toFixed(0)} ms of CPU`);
});
