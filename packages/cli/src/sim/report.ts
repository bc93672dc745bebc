/**
 * The HTML report of `headroom sim`, on the command's shared report page: the side-by-side table,
 * and charts of latency percentiles and of requests per server for each variant.
 */
import { escapeHtml, renderReportPage } from '../report/page.js';
import { loadSpread, renderSimTable, type VariantResult } from './table.js';

const SIM_CHART_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = headroomReport.data('sim-data');
  var colors = ['#2471a3', '#c0392b', '#229954', '#7d3c98', '#d68910', '#17a589'];
  var builders = {
    latency: function () {
      return { type: 'bar', data: { labels: ['p50', 'p90', 'p99', 'p99.9'], datasets: data.variants.map(function (v, i) {
        return { label: v.name, data: [v.latency.p50, v.latency.p90, v.latency.p99, v.latency.p999], backgroundColor: colors[i % colors.length] }; }) },
        options: { scales: { y: { type: 'logarithmic', title: { display: true, text: 'ms (log)' } } },
          plugins: { title: { display: true, text: 'Latency percentiles (first seed)' } } } };
    },
    served: function () {
      return { type: 'bar', data: { labels: data.variants[0].served.map(function (_, i) { return 's' + i; }), datasets: data.variants.map(function (v, i) {
        return { label: v.name, data: v.served, backgroundColor: colors[i % colors.length] }; }) },
        options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'requests served' } } },
          plugins: { title: { display: true, text: 'Requests per server (first seed)' } } } };
    }
  };
  headroomReport.draw('__simCharts', 'canvas[data-chart]', function (canvas) { return builders[canvas.dataset.chart](); });
})();
`;

/** The report page for one scenario run. */
export function renderSimReport(
  scenario: { name: string; description?: string },
  results: readonly VariantResult[],
  command: string,
): string {
  const manyServers = results[0]!.replications.runs[0]!.served.length <= 200;
  const body = `<h1>headroom sim — ${escapeHtml(scenario.name)}</h1>
<p class="meta">${escapeHtml(scenario.description ?? '')}</p>
<p class="meta">Reproduce: <code>${escapeHtml(command)}</code></p>
<section><h2>Results</h2><pre>${escapeHtml(renderSimTable(results))}</pre>
<p class="meta">Per-server load spread (max − min)/mean: ${results.map((r) => `${escapeHtml(r.name)} ${loadSpread(r.replications.runs[0]!.served).range.toFixed(3)}`).join(', ')}</p></section>
<section><h2>Charts</h2><div class="charts"><div class="chart"><canvas data-chart="latency"></canvas></div>${
    manyServers ? '<div class="chart"><canvas data-chart="served"></canvas></div>' : ''
  }</div></section>`;
  return renderReportPage({
    title: `headroom sim — ${scenario.name}`,
    body,
    dataId: 'sim-data',
    data: {
      variants: results.map((r) => ({ name: r.name, latency: r.replications.runs[0]!.latency, served: r.replications.runs[0]!.served })),
    },
    script: SIM_CHART_SCRIPT,
  });
}
