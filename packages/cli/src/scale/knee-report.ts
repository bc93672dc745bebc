/**
 * The open-loop sweep's output: a table of latency and achieved rate against the offered rate with
 * the knee marked, a sentence naming it, and the HTML report (p50 and p99 against the offered rate
 * on a log scale, the knee's latency limit as a line, achieved against offered beside it).
 */
import { renderTable } from 'headroom';
import type { KneeResult } from 'headroom/scale';
import { escapeHtml as esc, renderReportPage } from '../report/page.js';
import { sig } from './format.js';

/** One measured rate as the report shows it. */
export interface MeasuredRate {
  readonly offeredPerSec: number;
  readonly achievedPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
  readonly sendLagP99Ms: number;
}

const HEADER = ['offered/s', 'ok/s', 'ok ÷ offered', 'p50 ms', 'p99 ms', 'errors', 'send lag p99 ms', 'verdict'];

function rows(measured: readonly MeasuredRate[], knee: KneeResult): string[][] {
  return [...measured]
    .sort((a, b) => a.offeredPerSec - b.offeredPerSec)
    .map((m) => {
      const v = knee.points.find((p) => p.offeredPerSec === m.offeredPerSec)!;
      const verdict = v.holds ? 'holds' : `${v === knee.knee ? 'KNEE' : 'past the knee'}: ${v.reasons.join(', ')}`;
      return [
        sig(m.offeredPerSec),
        sig(m.achievedPerSec, 4),
        `${sig((m.achievedPerSec / m.offeredPerSec) * 100, 3)}%`,
        sig(m.p50Ms, 3),
        sig(m.p99Ms, 3),
        `${sig(m.errorRate * 100, 2)}%`,
        sig(m.sendLagP99Ms, 3),
        verdict,
      ];
    });
}

/** The sentence naming the knee. */
export function kneeSentence(knee: KneeResult, kneeFactor: number): string {
  const rule = `p99 above ${sig(knee.latencyLimitMs, 3)} ms (${kneeFactor} × the low-load p99, floored at 1 ms), ok/s below 95% of offered, or errors above 1%`;
  if (knee.knee === null) return `No knee up to ${sig(knee.lastGood!.offeredPerSec)}/s: every rate held (${rule}). Offer more to find it.`;
  const good = knee.lastGood === null ? 'no rate measured held' : `the highest rate that held is ${sig(knee.lastGood.offeredPerSec)}/s`;
  return `Knee at ${sig(knee.knee.offeredPerSec)}/s offered (${knee.knee.reasons.join(', ')}); ${good}. A rate holds unless: ${rule}.`;
}

/** The terminal table and sentence. */
export function renderKneeTable(measured: readonly MeasuredRate[], knee: KneeResult, kneeFactor: number): string {
  return `${renderTable(HEADER, rows(measured, knee))}\n\n${kneeSentence(knee, kneeFactor)}`;
}

/** The HTML report page. */
export function renderKneeReport(
  measured: readonly MeasuredRate[],
  knee: KneeResult,
  kneeFactor: number,
  title: string,
  command: string,
): string {
  const table = rows(measured, knee);
  const body = `<h1>Headroom scale: latency against offered rate</h1>
<p class="meta">${esc(title)} · reproduce with <code>${esc(command)}</code></p>
<p>Open loop: every latency is timed from the request's intended send time, so a service that falls behind shows it. <strong>${esc(kneeSentence(knee, kneeFactor))}</strong></p>
<div class="charts">
<div class="chart"><canvas data-chart="latency" aria-label="latency against offered rate"></canvas></div>
<div class="chart"><canvas data-chart="throughput" aria-label="achieved against offered rate"></canvas></div>
</div>
<table>
<tr>${HEADER.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>
${table.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}
</table>`;
  return renderReportPage({
    title: `Headroom scale sweep — ${title}`,
    body,
    dataId: 'knee-data',
    data: { points: measured, knee: knee.knee?.offeredPerSec ?? null, latencyLimitMs: knee.latencyLimitMs },
    script: KNEE_CHART_SCRIPT,
  });
}

/** Plain ES2017 with Chart.js's UMD global; records what it drew in `window.__scaleCharts` for the browser test. */
const KNEE_CHART_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = headroomReport.data('knee-data');
  function xy(key) { return data.points.map(function (p) { return { x: p.offeredPerSec, y: Math.max(p[key], 0.001) }; }); }
  var xs = data.points.map(function (p) { return p.offeredPerSec; });
  var xMax = Math.max.apply(null, xs);
  function kneeLine(yMin, yMax) { return data.knee === null ? [] : [{ label: 'knee', data: [{ x: data.knee, y: yMin }, { x: data.knee, y: yMax }], borderColor: '#c0392b', borderDash: [6, 4], pointRadius: 0, fill: false }]; }
  var builders = {
    latency: function () {
      var ys = data.points.map(function (p) { return Math.max(p.p99Ms, 0.001); });
      var yMax = Math.max.apply(null, ys.concat([data.latencyLimitMs])) * 1.5;
      var datasets = [
        { label: 'p50', data: xy('p50Ms'), borderColor: '#2471a3', pointRadius: 4, fill: false },
        { label: 'p99', data: xy('p99Ms'), borderColor: '#7d3c98', pointRadius: 4, fill: false },
        { label: 'p99 limit of the knee', data: [{ x: Math.min.apply(null, xs), y: data.latencyLimitMs }, { x: xMax, y: data.latencyLimitMs }], borderColor: '#b9770e', borderDash: [3, 3], pointRadius: 0, fill: false }
      ].concat(kneeLine(0.001, yMax));
      return { type: 'line', data: { datasets: datasets }, options: {
        scales: { x: { type: 'linear', title: { display: true, text: 'offered rate (req/s)' } }, y: { type: 'logarithmic', title: { display: true, text: 'latency (ms, log scale)' } } },
        plugins: { title: { display: true, text: 'Latency from intended send time against offered rate' } } } };
    },
    throughput: function () {
      var datasets = [
        { label: 'ok/s', data: xy('achievedPerSec'), borderColor: '#229954', pointRadius: 4, fill: false },
        { label: 'offered (ideal)', data: [{ x: 0, y: 0 }, { x: xMax, y: xMax }], borderColor: '#aab7b8', borderDash: [4, 4], pointRadius: 0, fill: false }
      ].concat(kneeLine(0, xMax));
      return { type: 'line', data: { datasets: datasets }, options: {
        scales: { x: { type: 'linear', title: { display: true, text: 'offered rate (req/s)' } }, y: { beginAtZero: true, title: { display: true, text: 'successes per second' } } },
        plugins: { title: { display: true, text: 'Achieved against offered rate' } } } };
    }
  };
  headroomReport.draw('__scaleCharts', 'canvas[data-chart]', function (canvas) { return builders[canvas.dataset.chart](); });
})();
`;
