/**
 * What `headroom scale fit` prints: the coefficients with their intervals, the peak and the limit,
 * and each point's residual — as terminal tables, and as rows the HTML report reuses.
 */
import { renderTable } from 'headroom';
import type { UslFit } from 'headroom/scale';
import { sig } from './format.js';

/** One table: a header and rows of text cells. */
export interface TextTable {
  /** Column titles. */
  readonly header: readonly string[];
  /** Rows of cells. */
  readonly rows: readonly (readonly string[])[];
}

/** The coefficient table. */
export function coefficientTable(fit: UslFit): TextTable {
  const level = `${Math.round(fit.level * 100)}% interval (${fit.interval === 'usl' ? 'R usl: ± SE·qt(level, n−1)' : 'two-sided t, n−3 df'})`;
  const row = (name: string, meaning: string, key: 'alpha' | 'beta' | 'gamma'): string[] => {
    const e = fit.estimates[key];
    const bound = fit.atBound.includes(key) ? ' (on its bound)' : '';
    return [name, meaning, `${sig(e.value, 5)}${bound}`, sig(e.standardError), `${sig(e.lower)} … ${sig(e.upper)}`];
  };
  return {
    header: ['coefficient', 'meaning', 'estimate', 'std. error', level],
    rows: [row('α', 'contention', 'alpha'), row('β', 'coherency', 'beta'), row('γ', 'X at N = 1', 'gamma')],
  };
}

/** Peak, limit and fit quality. */
export function boundsTable(fit: UslFit): TextTable {
  const peak = fit.peak;
  return {
    header: ['figure', 'value'],
    rows: [
      ['peak N* = √((1 − α)/β)', peak === null ? 'none (β = 0: the curve rises towards the limit)' : sig(peak.n)],
      ['X(N*)', peak === null ? '–' : sig(peak.throughput)],
      ['Amdahl limit γ/α', sig(fit.amdahlLimit)],
      ['residual standard error', `${sig(fit.sigma)} on ${fit.degreesOfFreedom} degrees of freedom`],
    ],
  };
}

/** Each measured point against the curve. */
export function residualTable(fit: UslFit): TextTable {
  return {
    header: ['N', 'measured X', 'fitted X', 'residual', 'efficiency'],
    rows: fit.points.map((p) => [sig(p.n, 6), sig(p.throughput, 5), sig(p.fitted, 5), sig(p.residual, 4), sig(p.efficiency, 3)]),
  };
}

/** The terminal summary of a fit. */
export function renderFitSummary(fit: UslFit, source: string): string {
  const table = (t: TextTable): string => renderTable(t.header, t.rows);
  return [
    `USL fit of ${source}: ${fit.points.length} points, X(N) = γN / (1 + α(N − 1) + βN(N − 1))`,
    '',
    table(coefficientTable(fit)),
    '',
    table(boundsTable(fit)),
    '',
    table(residualTable(fit)),
  ].join('\n');
}
