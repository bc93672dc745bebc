/**
 * Closed forms the simulator is checked against (and that a user can compare a run with):
 * Erlang C for M/M/c, Pollaczek–Khinchine for M/D/1, Mitzenmacher's supermarket model for the
 * power of d choices, and the fan-out straggler probability of "The Tail at Scale".
 * Time unit: the mean service time (μ = 1) unless a rate is given.
 */
import { invalidOption } from './errors.js';

/**
 * Erlang C: probability that an arrival at an M/M/c queue waits, with offered load a = λ/μ
 * (requires a < c). Computed with the Erlang B recursion, stable for large c.
 * @example erlangC(4, 3.2) // 0.5964…
 */
export function erlangC(c: number, a: number): number {
  if (!(Number.isInteger(c) && c >= 1)) throw invalidOption('erlangC(c)', c, 'use a positive integer number of servers');
  if (!(a >= 0 && a < c)) throw invalidOption('erlangC(a)', a, `use an offered load from 0 to below c (${c})`);
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho + rho * b);
}

/**
 * Mean time in system (wait + service) of M/M/c at utilization ρ = λ/(cμ), in units of 1/μ.
 * @example mmcMeanSojourn(4, 0.8) // 1.74554…
 */
export function mmcMeanSojourn(c: number, rho: number): number {
  const pw = erlangC(c, rho * c);
  return 1 + pw / (c * (1 - rho));
}

/**
 * Mean time in system of M/D/1 at utilization ρ (Pollaczek–Khinchine), in units of the service time.
 * @example md1MeanSojourn(0.8) // 3
 */
export function md1MeanSojourn(rho: number): number {
  if (!(rho >= 0 && rho < 1)) throw invalidOption('md1MeanSojourn(rho)', rho, 'use a utilization from 0 to below 1');
  return 1 + rho / (2 * (1 - rho));
}

/**
 * Mean time in system of the supermarket model (n → ∞ FIFO servers, μ = 1, each arrival joins
 * the shortest of d queues sampled at random) at arrival rate λ per server:
 * T_d(λ) = Σ_{i≥1} λ^((dⁱ − d)/(d − 1)); d = 1 is M/M/1's 1/(1 − λ). Mitzenmacher (2001), Thm 3.
 * @example supermarketMeanSojourn(2, 0.9) // 2.6136…
 */
export function supermarketMeanSojourn(d: number, lambda: number): number {
  if (!(Number.isInteger(d) && d >= 1)) throw invalidOption('supermarketMeanSojourn(d)', d, 'use an integer ≥ 1');
  if (!(lambda >= 0 && lambda < 1)) throw invalidOption('supermarketMeanSojourn(lambda)', lambda, 'use an arrival rate from 0 to below 1');
  if (d === 1) return 1 / (1 - lambda);
  let sum = 0;
  for (let i = 1; i < 64; i++) {
    const term = Math.pow(lambda, (Math.pow(d, i) - d) / (d - 1));
    sum += term;
    if (term < 1e-15) break;
  }
  return sum;
}

/**
 * Supermarket model's fixed point: fraction of servers with at least k jobs,
 * s_k = λ^((dᵏ − 1)/(d − 1)) (λᵏ for d = 1).
 * @example supermarketTail(2, 0.9, 3) // 0.9^7
 */
export function supermarketTail(d: number, lambda: number, k: number): number {
  return d === 1 ? Math.pow(lambda, k) : Math.pow(lambda, (Math.pow(d, k) - 1) / (d - 1));
}

/**
 * Probability that a fan-out over n leaves waits for at least one straggler, when each leaf is
 * slow with probability p: 1 − (1 − p)ⁿ (Dean & Barroso, "The Tail at Scale", 2013).
 * @example fanOutSlowProbability(0.01, 100) // 0.634
 */
export function fanOutSlowProbability(p: number, n: number): number {
  return 1 - Math.pow(1 - p, n);
}
