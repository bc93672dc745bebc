/** The one-line verdict of a scenario: its highlighted figures, baseline → each treatment. */
import type { MetricKey } from '../scenarios/types.js';
import { METRICS, compare } from './metrics.js';
import type { PhaseResult } from './types.js';

/**
 * E.g. `store q/s 612 → 41 (15× lower) · hit ratio – → 93.1% · p99 ms 6.10 → 4.02 (−34%)`; with
 * more than one treatment, one such clause per treatment, each named.
 */
export function verdict(highlights: readonly MetricKey[], phases: readonly PhaseResult[]): string {
  const [baseline, ...treatments] = phases;
  return treatments.map((treatment) => {
    const figures = highlights.map((key) => {
      const def = METRICS[key];
      return `${def.label} ${compare(def, def.get(baseline!), def.get(treatment))}`;
    }).join(' · ');
    return treatments.length > 1 ? `${treatment.label}: ${figures}` : figures;
  }).join(' | ');
}
