/**
 * Least loaded: scan every candidate and take the one with the lowest load ÷ effective weight.
 * With the default `outstanding()` metric this is least-outstanding-requests (NGINX
 * `least_conn`, HAProxy `leastconn`); with `peakEwma()` it is a full-scan peak-EWMA balancer.
 * The scan starts at a random candidate, so ties are broken at random rather than always toward
 * the first endpoint.
 *
 * O(n) per pick (n load reads), no allocation. Limits: every client sees the same minimum, so
 * many clients herd onto one idle endpoint at once; P2C avoids that and is O(1) (Mitzenmacher).
 */
import type { Random } from '../../core/random.js';
import type { Candidates, Picker, PickerFactory } from '../picker.js';

class LeastLoadedPicker implements Picker {
  readonly #random: Random;

  constructor(random: Random) {
    this.#random = random;
  }

  pick(c: Candidates, now: number): number {
    const n = c.size;
    if (n <= 1) return n - 1;
    const start = this.#random.int(n);
    let best = start;
    let bestScore = c.load(start, now) / c.weight(start);
    for (let k = 1; k < n; k++) {
      let i = start + k;
      if (i >= n) i -= n;
      const score = c.load(i, now) / c.weight(i);
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }
}

/**
 * Full scan for the lowest load ÷ weight (least-outstanding-requests with the default metric).
 * @example new Balancer({ endpoints, picker: leastLoaded(), load: outstanding() })
 */
export function leastLoaded(): PickerFactory {
  return { name: 'least-loaded', supportsSlowStart: true, needsKey: false, create: ({ random }) => new LeastLoadedPicker(random) };
}
