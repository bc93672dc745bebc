/**
 * Smooth weighted round-robin, as in NGINX's upstream module (`ngx_http_upstream_get_peer`,
 * Maxim Dounin, 2012): each pick adds every candidate's weight to its running score, takes the
 * highest score (first on ties) and subtracts the total weight from it. Weights {5, 1, 1} give
 * `a a b a c a a` — interleaved, unlike classic WRR's `a a a a a b c`.
 *
 * O(n) per pick, no allocation (scores live in a reused Float64Array, reset when the candidate
 * list changes, kept across weight changes so slow-start ramps stay smooth). Limits: blind to
 * load and latency; O(n) makes it the slowest picker at hundreds of endpoints.
 */
import type { Candidates, Picker, PickerFactory } from '../picker.js';

class SmoothWeightedRoundRobinPicker implements Picker {
  #scores = new Float64Array(8);
  #listVersion = -1;

  pick(c: Candidates): number {
    const n = c.size;
    if (n === 0) return -1;
    if (c.listVersion !== this.#listVersion) {
      if (this.#scores.length < n) this.#scores = new Float64Array(Math.max(n, this.#scores.length * 2));
      else this.#scores.fill(0, 0, n);
      this.#listVersion = c.listVersion;
    }
    const scores = this.#scores;
    let total = 0;
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      const w = c.weight(i);
      const score = scores[i]! + w;
      scores[i] = score;
      total += w;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    scores[best] = bestScore - total;
    return best;
  }
}

/**
 * NGINX's smooth weighted round-robin: deterministic, interleaved, exact shares per weight.
 * @example new Balancer({ endpoints: [{ id: 'a', target: 'http://a:80', weight: 5 }, 'http://b:80'], picker: weightedRoundRobin() })
 */
export function weightedRoundRobin(): PickerFactory {
  return { name: 'smooth-wrr', supportsSlowStart: true, needsKey: false, create: () => new SmoothWeightedRoundRobinPicker() };
}
