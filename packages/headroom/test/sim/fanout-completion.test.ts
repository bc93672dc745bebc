/**
 * Fan-out completion modes (call.ts with the real FanOutTally): k leaves on unbounded servers (a
 * pure Exp(1 ms) delay each, so calls are independent and identically distributed), completing
 * on a quorum of q — the q-th order statistic of k exponentials — or on a deadline d — min(max, d),
 * cut (partial) with probability 1 − (1 − e^−d)^k.
 *
 * N: 60,000 measured calls per run. Tolerance: 4.5 standard errors of the closed form's own
 * variance (a mean off by 1% fails: the SE is ~0.3%); quantiles are checked in probability space,
 * |F(p̂) − p| within 4.5·√(p(1−p)/N) plus the histogram's 0.1% rounding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { runModel, type FanOutSpec, type ModelSpec } from '../../src/sim/index.js';

const N = 60_000;
const K = 5;
const Z = 4.5;

function fanOut(complete: FanOutSpec['complete'], seed: number): ReturnType<typeof runModel> {
  const ratePerSec = 5000;
  const spec: ModelSpec = {
    duration: (N / ratePerSec) * 1000 + 1,
    warmup: 1,
    arrivals: { type: 'poisson', ratePerSec },
    servers: [{ count: K, workers: 'unbounded', service: { type: 'exponential', mean: 1 } }],
    fanOut: { leaves: K, ...(complete === undefined ? {} : { complete }) },
  };
  return runModel(spec, seed);
}

/** P(X₍q₎ ≤ t) for the q-th smallest of k Exp(1): P(Binomial(k, 1 − e^−t) ≥ q). */
function orderCdf(q: number, k: number, t: number): number {
  const p = 1 - Math.exp(-t);
  let sum = 0;
  let binom = 1; // C(k, j)
  for (let j = 0; j <= k; j++) {
    if (j >= q) sum += binom * p ** j * (1 - p) ** (k - j);
    binom = (binom * (k - j)) / (j + 1);
  }
  return sum;
}

/** Density of X₍q₎ (for the histogram's rounding allowance). */
function orderPdf(q: number, k: number, t: number): number {
  const h = 1e-6;
  return (orderCdf(q, k, t + h) - orderCdf(q, k, t - h)) / (2 * h);
}

function assertQuantile(what: string, q: number, reported: number, p: number, n: number): void {
  const F = orderCdf(q, K, reported);
  const tol = Z * Math.sqrt((p * (1 - p)) / n) + orderPdf(q, K, reported) * reported * 0.001;
  assert.ok(Math.abs(F - p) <= tol, `${what}: F(${reported}) = ${F.toFixed(5)}, expected ${p} ± ${tol.toFixed(5)}`);
}

for (const q of [1, 3, 5]) {
  test(`quorum ${q} of ${K}: the call completes at order statistic q = ${q} (mean, p50, p90); every call short of all ${K} is partial`, () => {
    const seed = seedFromEnv(7100 + q);
    const r = fanOut({ quorum: q }, seed);
    assert.equal(r.failed, 0);
    assert.ok(Math.abs(r.calls - N) < 5 * Math.sqrt(N), `${r.calls} calls`);
    // E[X₍q₎] = Σ_{i<q} 1/(k−i), Var = Σ_{i<q} 1/(k−i)² (Rényi's representation).
    let mean = 0;
    let variance = 0;
    for (let i = 0; i < q; i++) {
      mean += 1 / (K - i);
      variance += 1 / (K - i) ** 2;
    }
    const se = Math.sqrt(variance / r.calls);
    assert.ok(
      Math.abs(r.meanSojournMs - mean) <= Z * se,
      `mean ${r.meanSojournMs.toFixed(5)} vs ${mean.toFixed(5)} ± ${(Z * se).toFixed(5)} (HEADROOM_SEED=${seed})`,
    );
    assertQuantile(`q=${q} p50 (HEADROOM_SEED=${seed})`, q, r.latency.p50, 0.5, r.calls);
    assertQuantile(`q=${q} p90 (HEADROOM_SEED=${seed})`, q, r.latency.p90, 0.9, r.calls);
    assert.equal(r.partial, q < K ? r.ok : 0, `partial ${r.partial} of ${r.ok}`);
  });
}

test(`deadline 2 ms on ${K} leaves: completes at min(all, deadline), partial at the rate 1 − (1 − e^−2)^${K}`, () => {
  const seed = seedFromEnv(7200);
  const d = 2;
  const r = fanOut({ deadline: d }, seed);
  assert.equal(r.failed, 0);
  // E[min(M, d)] = ∫₀^d P(M > t) dt and E[min(M, d)²] = ∫₀^d 2t P(M > t) dt, M the max of K Exp(1).
  const steps = 20_000;
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i < steps; i++) {
    const t = ((i + 0.5) / steps) * d;
    const tail = 1 - (1 - Math.exp(-t)) ** K;
    m1 += (tail * d) / steps;
    m2 += (2 * t * tail * d) / steps;
  }
  const se = Math.sqrt((m2 - m1 * m1) / r.calls);
  assert.ok(
    Math.abs(r.meanSojournMs - m1) <= Z * se,
    `mean ${r.meanSojournMs.toFixed(5)} vs ${m1.toFixed(5)} ± ${(Z * se).toFixed(5)} (HEADROOM_SEED=${seed})`,
  );
  const pCut = 1 - (1 - Math.exp(-d)) ** K;
  const seP = Math.sqrt((pCut * (1 - pCut)) / r.calls);
  const share = r.partial / r.ok;
  assert.ok(
    Math.abs(share - pCut) <= Z * seP,
    `partial share ${share.toFixed(5)} vs ${pCut.toFixed(5)} ± ${(Z * seP).toFixed(5)} (HEADROOM_SEED=${seed})`,
  );
  // Nothing waits past the deadline (the histogram rounds to 3 significant digits).
  assert.ok(r.latency.max <= d * 1.001, `max ${r.latency.max}`);
});
