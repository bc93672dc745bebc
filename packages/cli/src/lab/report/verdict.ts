/** The one-line verdict of a scenario: its highlighted figures, baseline → each treatment. */
import type { MetricKey } from '../scenarios/types.js';
import { METRICS, compare } from './metrics.js';
import type { PhaseResult } from './types.js';

/**
 * E.g. `store q/s 612 → 41 (15× lower) · hit ratio – → 93.1% · p99 ms 6.10 → 4.02 (−34%)`; with
 * more than one treatment, one such clause per treatment, each named. A clause whose baseline or
 * treatment was limited by the machine (see keep-up.ts) says so instead of comparing.
 */
export function verdict(highlights: readonly MetricKey[], phases: readonly PhaseResult[]): string {
  const [baseline, ...treatments] = phases;
  return treatments
    .map((treatment) => {
      const limit = baseline!.machineLimit ?? treatment.machineLimit;
      const figures =
        limit !== null
          ? `not compared: ${limit} — this machine, not the technique, was the limit; rerun on a quieter machine or with a longer --duration`
          : highlights
              .map((key) => {
                const def = METRICS[key];
                return `${def.label} ${compare(def, def.get(baseline!), def.get(treatment))}`;
              })
              .join(' · ');
      return treatments.length > 1 ? `${treatment.label}: ${figures}` : figures;
    })
    .join(' | ');
}
