/**
 * Weighted random: candidate i with probability weight(i) / Σ weights, by binary search of one
 * uniform draw in the prefix sums of the weights (the "roulette wheel").
 *
 * O(log n) per pick, no allocation; the prefix sums (a reused Float64Array) are rebuilt in O(n)
 * only when the weights change. Limits: ignores load and latency; shares vary binomially.
 */
import type { Random } from '../../core/random.js';
import type { Candidates, Picker, PickerFactory } from '../picker.js';

class WeightedRandomPicker implements Picker {
  readonly #random: Random;
  #prefix = new Float64Array(8);
  #weightVersion = -1;

  constructor(random: Random) {
    this.#random = random;
  }

  #rebuild(c: Candidates): void {
    const n = c.size;
    if (this.#prefix.length < n) this.#prefix = new Float64Array(Math.max(n, this.#prefix.length * 2));
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += c.weight(i);
      this.#prefix[i] = sum;
    }
    this.#weightVersion = c.weightVersion;
  }

  pick(c: Candidates): number {
    const n = c.size;
    if (n === 0) return -1;
    if (c.weightVersion !== this.#weightVersion) this.#rebuild(c);
    const prefix = this.#prefix;
    const x = this.#random.next() * prefix[n - 1]!;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (prefix[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * Random choice in proportion to the effective weights (slow start included).
 * @example new Balancer({ endpoints: [{ id: 'big', target: 'http://big:80', weight: 3 }, 'http://small:80'], picker: weightedRandom() })
 */
export function weightedRandom(): PickerFactory {
  return { name: 'weighted-random', supportsSlowStart: true, needsKey: false, create: ({ random }) => new WeightedRandomPicker(random) };
}
