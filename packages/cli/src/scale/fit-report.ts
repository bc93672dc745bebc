/**
 * The HTML report of `headroom scale fit` (and of a sweep): the measured points, the fitted USL
 * curve with its 95% confidence band (delta method: narrow where the points are, wide where the
 * curve is extrapolated), the peak and the Amdahl limit, and the residuals — one self-contained
 * page from the command's report machinery.
 */
import { predictUsl, type UslFit } from 'headroom/scale';
import { escapeHtml as esc, renderReportPage } from '../report/page.js';
import { boundsTable, coefficientTable, residualTable, type TextTable } from './fit-summary.js';
import { SCALE_CHART_SCRIPT } from './chart-script.js';

/** Points of the drawn curve. */
const CURVE_POINTS = 120;

/** What the chart script reads. */
export interface FitChartData {
  /** The measured points. */
  readonly points: readonly { readonly n: number; readonly throughput: number; readonly residual: number }[];
  /** The fitted curve with its band. */
  readonly curve: readonly { readonly n: number; readonly throughput: number; readonly lower: number; readonly upper: number }[];
  /** The peak, if any. */
  readonly peak: { readonly n: number; readonly throughput: number } | null;
  /** The confidence level of the band. */
  readonly level: number;
}

/** The curve from N = 1 to past the data (and past the peak when it is near). */
export function chartData(fit: UslFit): FitChartData {
  const maxN = Math.max(...fit.points.map((p) => p.n));
  const peakN = fit.peak?.n ?? 0;
  const end = Math.max(maxN * 1.25, peakN < maxN * 3 ? peakN * 1.3 : 0, 2);
  const loads = Array.from({ length: CURVE_POINTS }, (_, i) => 1 + ((end - 1) * i) / (CURVE_POINTS - 1));
  const curve = predictUsl(fit, loads, { interval: 'delta' }).map((p) => ({ ...p, lower: Math.max(0, p.lower) }));
  return {
    points: fit.points.map((p) => ({ n: p.n, throughput: p.throughput, residual: p.residual })),
    curve,
    peak: fit.peak,
    level: fit.level,
  };
}

/**
 * Renders the report page.
 * @param fit - the fit
 * @param title - what was fitted (a file name or a URL)
 * @param command - the command line that reproduces it
 */
export function renderFitReport(fit: UslFit, title: string, command: string): string {
  const body = `<h1>Headroom scale: USL fit</h1>
<p class="meta">${esc(title)} · ${fit.points.length} points · reproduce with <code>${esc(command)}</code></p>
<p>X(N) = γN / (1 + α(N − 1) + βN(N − 1)), fitted by bounded least squares (α, β ≥ 0) with the R <code>usl</code> package's conventions.
The band is the ${Math.round(fit.level * 100)}% confidence band of the curve (delta method), so it widens where the curve is extrapolated.</p>
${htmlTable(coefficientTable(fit))}
${htmlTable(boundsTable(fit))}
<div class="charts">
<div class="chart"><canvas data-chart="curve" aria-label="fitted curve"></canvas></div>
<div class="chart"><canvas data-chart="residuals" aria-label="residuals"></canvas></div>
</div>
<section><h2>Points</h2>
${htmlTable(residualTable(fit))}
</section>`;
  return renderReportPage({
    title: `Headroom scale fit — ${title}`,
    body,
    dataId: 'scale-data',
    data: chartData(fit),
    script: SCALE_CHART_SCRIPT,
  });
}

function htmlTable(t: TextTable): string {
  return `<table>\n<tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>\n${t.rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('\n')}\n</table>`;
}
