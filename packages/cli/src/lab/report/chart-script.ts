/**
 * The browser-side script of the HTML report: reads the embedded JSON and draws, per scenario,
 * latency percentiles over time, latency CDFs, throughput and store load with Chart.js (inlined
 * beside it, so the file needs no network). It records how many charts it drew in
 * `window.__labCharts`, which the headless-browser test reads.
 */

/** Plain ES2017 that runs in any current browser; `Chart` is Chart.js's UMD global. */
export const CHART_SCRIPT = String.raw`
(function () {
  'use strict';
  var report = headroomReport.data('lab-data');
  var COLORS = ['#c0392b', '#2471a3', '#229954', '#7d3c98'];
  var DASH = { p50: [6, 4], p99: [], p999: [2, 3] };

  function nines(p) { return p >= 100 ? 4.2 : -Math.log10(1 - p / 100); }
  function ninesLabel(x) {
    var labels = { 0: 'p0', 1: 'p90', 2: 'p99', 3: 'p99.9', 4: 'p99.99' };
    return labels[x] !== undefined ? labels[x] : '';
  }
  function axisMs(title) {
    return { type: 'logarithmic', title: { display: true, text: title },
      ticks: { callback: function (v) { var s = String(v); return /^(1|2|5)/.test(s) ? s : ''; } } };
  }
  function timeAxis() { return { type: 'linear', title: { display: true, text: 'seconds into the phase' } }; }

  var builders = {
    latency: function (s) {
      var datasets = [];
      s.phases.forEach(function (phase, i) {
        [['p50', 'p50'], ['p99', 'p99'], ['p999', 'p99.9']].forEach(function (q) {
          datasets.push({ label: phase.label + ' ' + q[1], borderColor: COLORS[i], backgroundColor: COLORS[i], borderDash: DASH[q[0]],
            borderWidth: q[0] === 'p99' ? 2.5 : 1.5, pointRadius: 0, spanGaps: false,
            data: phase.timeline.map(function (t) { return { x: t.tSec, y: t[q[0]] }; }) });
        });
      });
      return { type: 'line', data: { datasets: datasets },
        options: { scales: { x: timeAxis(), y: axisMs('latency, ms (log)') }, plugins: { title: { display: true, text: 'Latency percentiles over time (successful requests)' } } } };
    },
    cdf: function (s) {
      return { type: 'line', data: { datasets: s.phases.map(function (phase, i) {
        return { label: phase.label, borderColor: COLORS[i], backgroundColor: COLORS[i], borderWidth: 2, pointRadius: 0,
          data: phase.cdf.map(function (c) { return { x: nines(c.percentile), y: Math.max(c.ms, 0.001) }; }) };
      }) }, options: { scales: {
        x: { type: 'linear', min: 0, max: 4.2, title: { display: true, text: 'percentile' }, ticks: { stepSize: 1, callback: ninesLabel } },
        y: axisMs('latency, ms (log)') }, plugins: { title: { display: true, text: 'Latency distribution (CDF, tail to the right)' } } } };
    },
    throughput: function (s) {
      var datasets = [];
      s.phases.forEach(function (phase, i) {
        datasets.push({ label: phase.label + ' ok/s', borderColor: COLORS[i], backgroundColor: COLORS[i], borderWidth: 2, pointRadius: 0,
          data: phase.timeline.map(function (t) { return { x: t.tSec, y: t.okPerSec }; }) });
        datasets.push({ label: phase.label + ' errors/s', borderColor: COLORS[i], backgroundColor: COLORS[i], borderDash: [5, 4], borderWidth: 1.5, pointRadius: 0,
          data: phase.timeline.map(function (t) { return { x: t.tSec, y: t.errorsPerSec }; }) });
      });
      return { type: 'line', data: { datasets: datasets },
        options: { scales: { x: timeAxis(), y: { beginAtZero: true, title: { display: true, text: 'requests / s' } } },
          plugins: { title: { display: true, text: 'Goodput and errors over time' } } } };
    },
    store: function (s) {
      return { type: 'line', data: { datasets: s.phases.map(function (phase, i) {
        return { label: phase.label, borderColor: COLORS[i], backgroundColor: COLORS[i], borderWidth: 2, pointRadius: 0,
          data: phase.timeline.map(function (t) { return { x: t.tSec, y: t.storeQps }; }) };
      }) }, options: { scales: { x: timeAxis(), y: { beginAtZero: true, title: { display: true, text: 'store queries / s' } } },
        plugins: { title: { display: true, text: 'Store load over time' } } } };
    }
  };

  headroomReport.draw('__labCharts', 'canvas[data-chart]', function (canvas) {
    var scenario = report.scenarios.filter(function (s) { return s.name === canvas.dataset.scenario; })[0];
    return builders[canvas.dataset.chart](scenario);
  }, function (canvas) { return canvas.dataset.scenario + '/' + canvas.dataset.chart; });
})();
`;
