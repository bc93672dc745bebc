/**
 * The page every HTML report of the command is: one self-contained file that opens without a
 * network — Chart.js's UMD build, the report's data (as JSON) and the script that draws it are
 * inlined. Each verb fills it with its own body and chart script; the chart scripts share the
 * browser-side helpers of {@link CHART_PRELUDE}.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The shared look: type, tables, notes, a grid of fixed-height charts. */
const BASE_STYLE = `body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1200px; padding: 24px; color: #1b1f24; }
h1 { margin-bottom: 4px; } .meta { color: #57606a; margin-top: 0; }
section { border-top: 1px solid #d0d7de; margin-top: 32px; padding-top: 8px; }
table { border-collapse: collapse; margin: 12px 0; }
th, td { padding: 4px 12px; border-bottom: 1px solid #eaeef2; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
.note { color: #9a6700; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
.chart { position: relative; height: 300px; }
code { background: #f6f8fa; padding: 1px 4px; border-radius: 4px; }`;

/** What a report page holds. */
export interface ReportPage {
  /** The document title. */
  readonly title: string;
  /** CSS added after the shared style. */
  readonly style?: string;
  /** The body's HTML (already escaped where it holds user text). */
  readonly body: string;
  /** The id of the `<script type="application/json">` element holding `data`. */
  readonly dataId: string;
  /** The data the chart script reads, serialised as JSON. */
  readonly data: unknown;
  /** The browser script that draws the charts (runs after Chart.js, the data and {@link CHART_PRELUDE}). */
  readonly script: string;
}

/**
 * Browser code that runs before every report's own chart script (plain ES2017; `Chart` is
 * Chart.js's UMD global). It sets the shared Chart.js defaults and defines `headroomReport`:
 * `data(id)` parses an embedded JSON element; `draw(statusName, selector, configFor, labelOf?)`
 * draws every canvas the selector matches with `configFor(canvas)`, each in its own try/catch, and
 * records `{ expected, rendered, errors }` in `window[statusName]` for the headless-browser tests;
 * `shade(bands)` is a Chart.js plugin that shades `{ from, to, color? }` x-ranges behind the data
 * (fault windows).
 */
const CHART_PRELUDE = String.raw`
var headroomReport = (function () {
  'use strict';
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';
  return {
    data: function (id) { return JSON.parse(document.getElementById(id).textContent); },
    draw: function (statusName, selector, configFor, labelOf) {
      var status = { expected: 0, rendered: 0, errors: [] };
      window[statusName] = status;
      var canvases = document.querySelectorAll(selector);
      status.expected = canvases.length;
      canvases.forEach(function (canvas) {
        try { new Chart(canvas, configFor(canvas)); status.rendered++; }
        catch (e) { status.errors.push((labelOf ? labelOf(canvas) : canvas.dataset.chart) + ': ' + (e && e.message ? e.message : String(e))); }
      });
    },
    shade: function (bands) {
      return { id: 'faultWindows', beforeDatasetsDraw: function (chart) {
        var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
        ctx.save();
        bands.forEach(function (b) {
          var a = Math.max(area.left, x.getPixelForValue(b.from)), z = Math.min(area.right, x.getPixelForValue(b.to));
          ctx.fillStyle = b.color || 'rgba(192,57,43,0.12)';
          if (z > a) ctx.fillRect(a, area.top, Math.max(2, z - a), area.bottom - area.top);
        });
        ctx.restore();
      } };
    }
  };
})();
`;

let chartJsSource: string | null = null;

/** Chart.js's UMD build, read once from node_modules. */
function chartJs(): string {
  if (chartJsSource === null) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartJsSource = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8').replaceAll('</script', '<\\/script');
  }
  return chartJsSource;
}

/** Renders a complete, self-contained report page. */
export function renderReportPage(page: ReportPage): string {
  const data = JSON.stringify(page.data).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>
${BASE_STYLE}${page.style === undefined ? '' : `\n${page.style}`}
</style>
</head>
<body>
${page.body}
<script>${chartJs()}</script>
<script id="${escapeHtml(page.dataId)}" type="application/json">${data}</script>
<script>${CHART_PRELUDE}</script>
<script>${page.script}</script>
</body>
</html>
`;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
