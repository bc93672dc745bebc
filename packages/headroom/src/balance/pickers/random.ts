/**
 * Uniform random: any candidate with equal probability.
 *
 * O(1) per pick (one draw), no allocation. Limits: ignores weights, load and latency; shares are
 * only 1/n on average (binomial spread), unlike round-robin's exact 1/n.
 */
import type { Random } from '../../core/random.js';
import type { Candidates, Picker, PickerFactory } from '../picker.js';

class UniformRandomPicker implements Picker {
  readonly #random: Random;

  constructor(random: Random) {
    this.#random = random;
  }

  pick(c: Candidates): number {
    // floor(u·n): bias below n / 2^32, and no argument checks on the hot path.
    return c.size === 0 ? -1 : Math.floor(this.#random.next() * c.size);
  }
}

/**
 * Uniform random choice (stateless, so many clients never synchronise).
 * @example new Balancer({ endpoints, picker: uniformRandom(), random: new SeededRandom(1) })
 */
export function uniformRandom(): PickerFactory {
  return { name: 'random', supportsSlowStart: false, needsKey: false, create: ({ random }) => new UniformRandomPicker(random) };
}
