/**
 * The browser-side script of the scale report: draws the fitted curve with its confidence band and
 * the measured points, and the residuals, with Chart.js (inlined beside it). It records how many
 * charts it drew in `window.__scaleCharts`, which the headless-browser test reads.
 */

/** Plain ES2017; `Chart` is Chart.js's UMD global. */
export const SCALE_CHART_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = headroomReport.data('scale-data');
  function xy(list, key) { return list.map(function (p) { return { x: p.n, y: p[key] }; }); }
  var level = Math.round(data.level * 100) + '%';
  var builders = {
    curve: function () {
      var datasets = [
        { label: level + ' band (upper)', data: xy(data.curve, 'upper'), borderWidth: 0, pointRadius: 0, fill: false, borderColor: 'rgba(36,113,163,0.2)' },
        { label: level + ' band', data: xy(data.curve, 'lower'), borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: 'rgba(36,113,163,0.18)', borderColor: 'rgba(36,113,163,0.2)' },
        { label: 'USL fit', data: xy(data.curve, 'throughput'), borderColor: '#2471a3', borderWidth: 2, pointRadius: 0, fill: false },
        { label: 'measured', type: 'scatter', data: xy(data.points, 'throughput'), backgroundColor: '#c0392b', pointRadius: 4 }
      ];
      if (data.peak) datasets.push({ label: 'peak N*', type: 'scatter', data: [{ x: data.peak.n, y: data.peak.throughput }], backgroundColor: '#229954', pointStyle: 'triangle', pointRadius: 7 });
      return { type: 'line', data: { datasets: datasets }, options: {
        scales: { x: { type: 'linear', title: { display: true, text: 'N (load)' } }, y: { beginAtZero: true, title: { display: true, text: 'throughput X(N)' } } },
        plugins: { title: { display: true, text: 'Throughput: measured points, USL fit and confidence band' } } } };
    },
    residuals: function () {
      return { type: 'scatter', data: { datasets: [{ label: 'measured − fitted', data: xy(data.points, 'residual'), backgroundColor: '#7d3c98', pointRadius: 4 }] },
        options: { scales: { x: { type: 'linear', title: { display: true, text: 'N (load)' } }, y: { title: { display: true, text: 'residual' } } },
          plugins: { title: { display: true, text: 'Residuals (a pattern means the USL does not describe the system)' } } } };
    }
  };
  headroomReport.draw('__scaleCharts', 'canvas[data-chart]', function (canvas) { return builders[canvas.dataset.chart](); });
})();
`;
