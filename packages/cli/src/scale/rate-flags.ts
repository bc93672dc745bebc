/**
 * `--rate` of `headroom scale run`, turned into an arrival schedule:
 *
 * - `--rate 500`: 500 req/s for `--duration`;
 * - `--rate 100..2000`: a linear ramp from 100 to 2,000 req/s over `--duration`; with `--ramp 30s`,
 *   the ramp takes 30 s and 2,000 req/s is then held for `--duration`;
 * - `--rate 500 --ramp 30s`: from 0 up to 500 req/s over 30 s, then 500 req/s for `--duration`;
 * - `--rate 100,200,400`: stepped, each rate held for `--duration`.
 */
import type { ArrivalSchedule, RateStep } from 'headroom/scale';
import { invalidScaleFlag } from './errors.js';

/** The schedule `--rate` and `--ramp` describe; `durationMs` and `rampMs` (or null) already parsed. */
export function rateSchedule(rate: string, durationMs: number, rampMs: number | null, arrivals: 'constant' | 'poisson'): ArrivalSchedule {
  const number = (text: string, allowZero: boolean): number => {
    const n = Number(text.trim());
    if (!(Number.isFinite(n) && (n > 0 || (allowZero && n === 0))) || text.trim() === '')
      throw invalidScaleFlag('--rate', rate, 'give requests per second: 500, a ramp 100..2000, or steps 100,200,400');
    return n;
  };
  let steps: RateStep[];
  if (rate.includes('..')) {
    const [from, to, ...rest] = rate.split('..');
    if (rest.length > 0) throw invalidScaleFlag('--rate', rate, 'give one ramp, from..to, e.g. 100..2000');
    const ramp = { ratePerSec: number(from!, true), toRatePerSec: number(to!, false) };
    steps =
      rampMs === null
        ? [{ ...ramp, duration: durationMs }]
        : [
            { ...ramp, duration: rampMs },
            { ratePerSec: ramp.toRatePerSec, duration: durationMs },
          ];
  } else if (rate.includes(',')) {
    if (rampMs !== null) throw invalidScaleFlag('--ramp', rampMs, 'a ramp goes with one rate or a from..to ramp, not with steps');
    steps = rate.split(',').map((r) => ({ ratePerSec: number(r, false), duration: durationMs }));
  } else {
    const r = number(rate, false);
    steps =
      rampMs === null
        ? [{ ratePerSec: r, duration: durationMs }]
        : [
            { ratePerSec: 0, toRatePerSec: r, duration: rampMs },
            { ratePerSec: r, duration: durationMs },
          ];
  }
  return { arrivals, steps };
}
