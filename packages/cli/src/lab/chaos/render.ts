/**
 * The chaos scenario in the lab's outputs: a table of its four stretches with the write ledger
 * and the verdict (terminal), and the same as a report section with two timeline charts, the
 * faults shaded (HTML). The section's charts are drawn by {@link CHAOS_LAB_CHART_SCRIPT}, which
 * reads the report's embedded JSON (`chaos` field) and records what it drew in
 * `window.__labChaosCharts`.
 */
import { renderTable } from 'headroom';
import { escapeHtml as esc } from '../../report/page.js';
import { fmtSec } from './analysis.js';
import type { ChaosLabResult } from './types.js';

const HEADER = ['stretch', 'from s', 'ok/s', 'errors', 'max p99 ms', 'store q/s', 'hit ratio', 'what recovered'];

function rows(r: ChaosLabResult): string[][] {
  return r.stages.map((s) => [
    s.label,
    s.fromSec.toFixed(1),
    String(Math.round(s.okPerSec)),
    String(s.errors),
    s.p99Max === null ? '–' : s.p99Max.toFixed(1),
    String(Math.round(s.storeQps)),
    s.hitRatio === null ? '–' : `${(s.hitRatio * 100).toFixed(1)}%`,
    s.note,
  ]);
}

/** One line on the writes: sent, acknowledged, ambiguous, present, lost. */
export function ledgerLine(r: ChaosLabResult): string {
  const w = r.writes;
  return (
    `writes: ${w.sent} sent, ${w.acknowledged} acknowledged, ${w.answeredError} answered with an error, ${w.unanswered} unanswered; ` +
    `${w.present} in the store → ${w.lost} acknowledged write${w.lost === 1 ? '' : 's'} lost` +
    (w.present > w.acknowledged ? ` (${w.present - w.acknowledged} of the unacknowledged ones had happened)` : '')
  );
}

function settingsLine(r: ChaosLabResult): string {
  const e = r.events;
  return (
    `${r.ratePerSec} req/s open loop, ${(r.writeShare * 100).toFixed(0)}% writes; kill at ${e.killSec} s, Redis stalled ${e.stallSec}–${e.healSec} s, ` +
    `end at ${e.endSec} s; recovery times at the timeline's resolution (${fmtSec(r.timeline[0]?.tSec ?? 0)} intervals)`
  );
}

/** The scenario as text for the terminal. */
export function renderChaosSummary(r: ChaosLabResult): string {
  return [`${r.name} — ${r.title}`, r.question, settingsLine(r), renderTable(HEADER, rows(r)), ledgerLine(r), `→ ${r.verdict}`].join('\n');
}

/** The scenario as a section of the HTML report. */
export function renderChaosSection(r: ChaosLabResult): string {
  const head = `<tr>${HEADER.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows(r)
    .map((row) => `<tr>${row.map((c, i) => `<td${i === row.length - 1 ? ' style="text-align:left"' : ''}>${esc(c)}</td>`).join('')}</tr>`)
    .join('\n');
  const charts = ['requests', 'store']
    .map((kind) => `<div class="chart"><canvas data-chaos-chart="${kind}" aria-label="chaos ${kind} chart"></canvas></div>`)
    .join('\n');
  return `<section id="${esc(r.name)}">
<h2>${esc(r.title)} <small><code>--scenario ${esc(r.name)}</code></small></h2>
<p class="question">${esc(r.question)}</p>
<p>${esc(settingsLine(r))}</p>
<table>
${head}
${body}
</table>
<p>${esc(ledgerLine(r))}</p>
<p class="verdict">→ ${esc(r.verdict)}</p>
<div class="charts">
${charts}
</div>
</section>`;
}

/** Plain ES2017 for the browser; `Chart` is Chart.js's UMD global. Shades the dead replica's failures and the Redis stall. */
export const CHAOS_LAB_CHART_SCRIPT = String.raw`
(function () {
  'use strict';
  var r = headroomReport.data('lab-data').chaos;
  if (!r) { headroomReport.draw('__labChaosCharts', 'canvas[data-chaos-chart]', null); return; }
  var e = r.events;
  var shade = headroomReport.shade([
    { from: e.killSec, to: e.killSec + Math.max(r.kill.recoverySec, 0.05), color: 'rgba(192,57,43,0.18)' },
    { from: e.stallSec, to: e.healSec, color: 'rgba(230,126,34,0.16)' }
  ]);
  function series(label, field, color, axis, dash) {
    return { label: label, yAxisID: axis, borderColor: color, backgroundColor: color, borderDash: dash || [], borderWidth: 2, pointRadius: 0,
      data: r.timeline.map(function (p) { return { x: p.tSec, y: p[field] === null ? null : (field === 'hitRatio' ? p[field] * 100 : p[field]) }; }) };
  }
  var time = { type: 'linear', title: { display: true, text: 'seconds (red: replica killed until its last failure; orange: Redis stalled)' } };
  var builders = {
    requests: function () {
      return { type: 'line', data: { datasets: [series('ok/s', 'okPerSec', '#229954', 'y'), series('errors/s', 'errorsPerSec', '#c0392b', 'y', [5, 4]),
        series('p99 ms', 'p99', '#2471a3', 'ms')] },
        options: { scales: { x: time, y: { beginAtZero: true, title: { display: true, text: 'requests / s' } },
          ms: { position: 'right', type: 'logarithmic', title: { display: true, text: 'p99 latency, ms (log)' }, grid: { drawOnChartArea: false } } },
          plugins: { title: { display: true, text: 'Goodput, errors and p99 over the timeline' } } }, plugins: [shade] };
    },
    store: function () {
      return { type: 'line', data: { datasets: [series('store q/s', 'storeQps', '#7d3c98', 'y'), series('hit ratio %', 'hitRatio', '#2471a3', 'pct', [6, 4])] },
        options: { scales: { x: time, y: { beginAtZero: true, title: { display: true, text: 'store queries / s' } },
          pct: { position: 'right', min: 0, max: 100, title: { display: true, text: 'cache hit ratio, %' }, grid: { drawOnChartArea: false } } },
          plugins: { title: { display: true, text: 'Store load and cache hits: the fallback to the loader while Redis stalls' } } }, plugins: [shade] };
    }
  };
  headroomReport.draw('__labChaosCharts', 'canvas[data-chaos-chart]', function (canvas) { return builders[canvas.dataset.chaosChart](); },
    function (canvas) { return 'chaos/' + canvas.dataset.chaosChart; });
})();
`;
