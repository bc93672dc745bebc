/**
 * Power of two choices: sample two distinct candidates at random and take the one with the lower
 * load ÷ effective weight. Source: Mitzenmacher, "The Power of Two Choices in Randomized Load
 * Balancing" (IEEE TPDS 2001) — max load drops from Θ(log n / log log n) to Θ(log log n);
 * as used by Finagle (`Balancers.p2c`, `p2cPeakEwma`), Linkerd (tower `p2c::Balance`) and
 * Envoy (`LEAST_REQUEST`, `choice_count`).
 *
 * Works over any load metric: `outstanding()` gives Envoy's least-request, `peakEwma()` gives
 * Linkerd's and Finagle's latency-aware default. With `choices` = k > 2, the extra samples are
 * drawn with replacement (as Envoy does).
 *
 * O(k) per pick (k draws, k load reads), no allocation. Limits: with stale or equal loads it is
 * as good as random; the worst of n endpoints is never sampled twice in a row only by chance.
 */
import type { Random } from '../../core/random.js';
import type { Candidates, Picker, PickerFactory } from '../picker.js';
import { requireInteger } from '../options.js';

class PowerOfChoicesPicker implements Picker {
  readonly #random: Random;
  readonly #choices: number;

  constructor(random: Random, choices: number) {
    this.#random = random;
    this.#choices = choices;
  }

  pick(c: Candidates, now: number): number {
    const n = c.size;
    if (n <= 1) return n - 1;
    const random = this.#random;
    // floor(u·n) rather than random.int(n): no argument checks or modulo on the hot path; the
    // bias from u's 32-bit resolution is below n / 2^32.
    const a = Math.floor(random.next() * n);
    let b = Math.floor(random.next() * (n - 1));
    if (b >= a) b++;
    const scoreA = c.load(a, now) / c.weight(a);
    const scoreB = c.load(b, now) / c.weight(b);
    let best = scoreB < scoreA ? b : a;
    let bestScore = scoreB < scoreA ? scoreB : scoreA;
    for (let k = 2; k < this.#choices; k++) {
      const i = Math.floor(random.next() * n);
      const score = c.load(i, now) / c.weight(i);
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }
}

/** Options of {@link p2c}. */
export interface P2cOptions {
  /** How many candidates to sample per pick; default 2. */
  readonly choices?: number;
}

/**
 * Power of two (or k) choices over the balancer's load metric.
 * @param options.choices - candidates sampled per pick, integer ≥ 2; default 2
 * @throws HR_BALANCE_INVALID_OPTION when `choices` is not an integer ≥ 2
 * @example new Balancer({ endpoints, picker: p2c(), load: peakEwma() }) // Linkerd's default
 */
export function p2c(options: P2cOptions = {}): PickerFactory {
  const choices = requireInteger('p2c.choices', options.choices ?? 2, 2, '2');
  return {
    name: choices === 2 ? 'p2c' : `p${choices}c`,
    supportsSlowStart: true,
    needsKey: false,
    create: ({ random }) => new PowerOfChoicesPicker(random, choices),
  };
}
