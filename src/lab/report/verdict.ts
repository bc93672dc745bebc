/** The one-line verdict of a scenario: its highlighted figures, baseline → treatment. */
import type { MetricKey } from '../scenarios/types.js';
import { METRICS, compare } from './metrics.js';
import type { PhaseResult } from './types.js';

/** E.g. `store q/s 612 → 41 (15× lower) · hit ratio – → 93.1% · p99 ms 6.10 → 4.02 (−34%)`. */
export function verdict(highlights: readonly MetricKey[], baseline: PhaseResult, treatment: PhaseResult): string {
  return highlights.map((key) => {
    const def = METRICS[key];
    return `${def.label} ${compare(def, def.get(baseline), def.get(treatment))}`;
  }).join(' · ');
}
