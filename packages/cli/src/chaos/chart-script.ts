/**
 * The browser-side script of the chaos report: one line chart per probe value, with the fault
 * windows drawn as shaded bands behind the lines (a small Chart.js plugin). It records how many
 * charts it drew in `window.__chaosCharts`.
 */

/** Plain ES2017; `Chart` is Chart.js's UMD global. */
export const CHAOS_CHART_SCRIPT = String.raw`
(function () {
  'use strict';
  var status = { expected: 0, rendered: 0, errors: [] };
  window.__chaosCharts = status;
  var data = JSON.parse(document.getElementById('chaos-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var shade = {
    id: 'faultWindows',
    beforeDatasetsDraw: function (chart) {
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = 'rgba(192,57,43,0.12)';
      data.windows.forEach(function (w) {
        var a = Math.max(area.left, x.getPixelForValue(w.from)), b = Math.min(area.right, x.getPixelForValue(w.to));
        if (b > a) ctx.fillRect(a, area.top, b - a, area.bottom - area.top);
      });
      ctx.restore();
    }
  };
  var canvases = document.querySelectorAll('canvas[data-chart]');
  status.expected = canvases.length;
  canvases.forEach(function (canvas) {
    var s = data.series[Number(canvas.getAttribute('data-chart'))];
    try {
      new Chart(canvas, {
        type: 'line',
        data: { datasets: [{ label: s.probe + ' · ' + s.field, data: s.points, borderColor: '#2471a3', borderWidth: 2,
          pointRadius: 3, pointBackgroundColor: s.points.map(function (p) { return p.ok ? '#2471a3' : '#c0392b'; }) }] },
        options: { parsing: false, scales: { x: { type: 'linear', title: { display: true, text: 'seconds since start' } },
          y: { beginAtZero: true, title: { display: true, text: s.field } } },
          plugins: { title: { display: true, text: s.probe + ': ' + s.field } } },
        plugins: [shade]
      });
      status.rendered++;
    } catch (e) { status.errors.push(String(e)); }
  });
})();
`;
