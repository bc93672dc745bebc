/**
 * The self-contained HTML report: tables, verdicts and charts for every scenario in one file that
 * opens without a network — Chart.js's UMD build and the data are inlined.
 */
import { escapeHtml as esc, renderReportPage } from '../../report/page.js';
import { CHART_SCRIPT } from './chart-script.js';
import { METRICS, STANDARD_COLUMNS } from './metrics.js';
import { hostProbeText, interruptedBanner, lagNotes, warmupNotes } from './terminal.js';
import type { LabReport, ScenarioResult } from './types.js';
import { CHAOS_LAB_CHART_SCRIPT, renderChaosSection } from '../chaos/render.js';

/** Chart kinds drawn for every scenario that ran. */
export const CHART_KINDS = ['latency', 'cdf', 'throughput', 'store'] as const;

/** Renders the report page. */
export function renderHtml(report: LabReport): string {
  const s = report.settings;
  const body = `<h1>Headroom lab</h1>
<p class="meta">${esc(report.startedAt)} · ${s.replicas} replicas · ${s.products.toLocaleString('en-US')} products on ${esc(s.store)}${s.redis ? ' + Redis' : ''} ·
${s.phaseDurationMs / 1000} s per phase after ${s.warmupMs / 1000} s warm-up · Zipf ${s.zipfExponent} · seed ${report.seed} ·
Node ${esc(report.environment.node)} on ${report.environment.cpus} CPUs (load average ${report.environment.loadAverage.start} → ${report.environment.loadAverage.end}) ·
run took ${(report.totalMs / 1000).toFixed(0)} s${report.environment.hostProbe === undefined ? '' : ` · ${esc(hostProbeText(report.environment.hostProbe))}`}</p>
<p>Every phase of a scenario sees the same seeded open-loop load; latencies are of successful requests, timed from each request's
intended send time, so a stall shows every request that queued behind it. Rerun with <code>${esc(report.command)}</code>.</p>
${report.interrupted === null ? '' : `<p class="note"><strong>${esc(interruptedBanner(report.interrupted))}</strong></p>\n`}${report.scenarios.map(renderScenario).join('\n')}${report.chaos === undefined ? '' : `\n${renderChaosSection(report.chaos)}`}`;
  return renderReportPage({
    title: `Headroom lab report — ${report.startedAt}`,
    style: '.question { color: #57606a; font-style: italic; }\n.verdict { font-weight: 600; }',
    body,
    dataId: 'lab-data',
    data: report,
    script: CHART_SCRIPT + CHAOS_LAB_CHART_SCRIPT,
  });
}

function renderScenario(s: ScenarioResult): string {
  const head = `<section id="${esc(s.name)}">\n<h2>${esc(s.title)} <small><code>--scenario ${esc(s.name)}</code></small></h2>\n<p class="question">${esc(s.question)}</p>`;
  const columns = s.extraColumn === null ? STANDARD_COLUMNS : [...STANDARD_COLUMNS, s.extraColumn];
  const header = `<tr><th>phase</th>${columns.map((k) => `<th>${esc(METRICS[k].label)}</th>`).join('')}<th style="text-align:left">what it does</th></tr>`;
  const rows = s.phases
    .map(
      (p) =>
        `<tr><td>${esc(p.label)}</td>${columns.map((k) => `<td>${esc(METRICS[k].format(METRICS[k].get(p)))}</td>`).join('')}` +
        `<td style="text-align:left;white-space:normal;min-width:280px">${esc(p.summary)}</td></tr>`,
    )
    .join('\n');
  const charts = CHART_KINDS.map(
    (kind) => `<div class="chart"><canvas data-chart="${kind}" data-scenario="${esc(s.name)}" aria-label="${kind} chart"></canvas></div>`,
  ).join('\n');
  const notes = [...warmupNotes(s).map((n) => `<p>${esc(n)}</p>`), ...lagNotes(s).map((n) => `<p class="note">${esc(n)}</p>`)].join('\n');
  return `${head}\n<table>\n${header}\n${rows}\n</table>\n<p class="verdict">→ ${esc(s.verdict)}</p>\n${notes}\n<div class="charts">\n${charts}\n</div>\n</section>`;
}
