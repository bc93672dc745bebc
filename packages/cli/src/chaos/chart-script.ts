/**
 * The browser-side script of the chaos report: one line chart per probe value, with the fault
 * windows drawn as shaded bands behind the lines (the report page's `shade` plugin). It records how many
 * charts it drew in `window.__chaosCharts`.
 */

/** Plain ES2017; `Chart` is Chart.js's UMD global. */
export const CHAOS_CHART_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = headroomReport.data('chaos-data');
  var shade = headroomReport.shade(data.windows);
  headroomReport.draw('__chaosCharts', 'canvas[data-chart]', function (canvas) {
    var s = data.series[Number(canvas.getAttribute('data-chart'))];
    return {
      type: 'line',
      data: { datasets: [{ label: s.probe + ' · ' + s.field, data: s.points, borderColor: '#2471a3', borderWidth: 2,
        pointRadius: 3, pointBackgroundColor: s.points.map(function (p) { return p.ok ? '#2471a3' : '#c0392b'; }) }] },
      options: { parsing: false, scales: { x: { type: 'linear', title: { display: true, text: 'seconds since start' } },
        y: { beginAtZero: true, title: { display: true, text: s.field } } },
        plugins: { title: { display: true, text: s.probe + ': ' + s.field } } },
      plugins: [shade]
    };
  });
})();
`;
