/**
 * Round-robin: candidates in turn, starting at a random one so that many clients started at
 * once do not all hit the first endpoint together (Envoy does the same).
 *
 * O(1) per pick, no allocation. Limits: ignores weights, load and latency; a slow endpoint gets
 * exactly its 1/n share.
 */
import type { Random } from '../../core/random.js';
import type { Candidates, Picker, PickerFactory } from '../picker.js';

class RoundRobinPicker implements Picker {
  readonly #random: Random;
  #next = -1;

  constructor(random: Random) {
    this.#random = random;
  }

  pick(c: Candidates): number {
    const n = c.size;
    if (n === 0) return -1;
    if (this.#next < 0) this.#next = this.#random.int(n);
    const i = this.#next % n;
    this.#next = i + 1;
    return i;
  }
}

/**
 * Plain round-robin over the candidates (weights ignored; use {@link weightedRoundRobin} for weights).
 * @example new Balancer({ endpoints: ['http://a:80', 'http://b:80'], picker: roundRobin() })
 */
export function roundRobin(): PickerFactory {
  return { name: 'round-robin', supportsSlowStart: false, needsKey: false, create: ({ random }) => new RoundRobinPicker(random) };
}
