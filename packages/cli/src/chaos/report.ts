/**
 * The HTML report of an experiment, on the shared report page: the verdict, the probes' timeline
 * (one chart per safeguard probe and value) with the fault windows shaded, and the steps.
 */
import type { Journal } from 'headroom/chaos';
import { escapeHtml, renderReportPage } from '../report/page.js';
import { CHAOS_CHART_SCRIPT } from './chart-script.js';

/** Renders the report page of `journal`. */
export function renderChaosReport(journal: Journal): string {
  const series: Record<string, { probe: string; field: string; points: { x: number; y: number; ok: boolean }[] }> = {};
  for (const s of journal.samples) {
    for (const [field, y] of Object.entries(s.values)) {
      const key = `${s.probe} · ${field}`;
      (series[key] ??= { probe: s.probe, field, points: [] }).points.push({ x: s.atMs / 1000, y, ok: s.tolerated });
    }
  }
  const charts = Object.keys(series)
    .map((key, i) => `<div class="chart"><canvas data-chart="${i}" aria-label="${escapeHtml(key)}"></canvas></div>`)
    .join('\n');
  const rows = journal.runs
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.phase)}</td><td>${escapeHtml(r.type)}</td><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.status)}${r.tolerated === false ? ' (outside tolerance)' : ''}</td><td>${(r.startMs / 1000).toFixed(2)}</td><td>${((r.endMs - r.startMs) / 1000).toFixed(2)}</td><td>${escapeHtml(r.error ?? '')}</td></tr>`,
    )
    .join('\n');
  const windows = journal.faultWindows
    .map((w) => `<li><code>${escapeHtml(w.name)}</code>: ${(w.startMs / 1000).toFixed(2)} s → ${(w.endMs / 1000).toFixed(2)} s</li>`)
    .join('');
  const body = `<h1>${escapeHtml(journal.title)}</h1>
<p class="meta">${escapeHtml(journal.startedAt)} · ${(journal.durationMs / 1000).toFixed(1)} s · <strong>${escapeHtml(journal.status)}</strong>${journal.reason === undefined ? '' : ` — ${escapeHtml(journal.reason)}`}</p>
<p>Steady state before: ${flag(journal.steadyState.before)} · after: ${flag(journal.steadyState.after)}</p>
<section><h2>Probes over time</h2><p class="note">Shaded: fault windows (from the action that injected a fault to the one that removed it). Red points: checks outside tolerance.</p>
<div class="charts">${charts === '' ? '<p>No safeguard samples.</p>' : charts}</div></section>
<section><h2>Fault windows</h2><ul>${windows === '' ? '<li>none</li>' : windows}</ul></section>
<section><h2>Steps</h2><table><tr><th>phase</th><th>type</th><th>name</th><th>status</th><th>at s</th><th>took s</th><th>error</th></tr>
${rows}</table></section>`;
  return renderReportPage({
    title: `chaos: ${journal.title}`,
    body,
    dataId: 'chaos-data',
    data: {
      series: Object.values(series),
      windows: journal.faultWindows.map((w) => ({ name: w.name, from: w.startMs / 1000, to: w.endMs / 1000 })),
    },
    script: CHAOS_CHART_SCRIPT,
  });
}

function flag(v: boolean | undefined): string {
  return v === undefined ? 'not checked' : v ? 'held' : 'did not hold';
}
