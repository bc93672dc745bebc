/** The terminal view of an experiment's journal: one table of steps and one verdict line. */
import { renderTable } from 'headroom';
import type { ActivityRun, Journal } from 'headroom/chaos';

/** One progress line per finished activity. */
export function activityLine(run: ActivityRun): string {
  const mark = run.status === 'succeeded' ? (run.tolerated === false ? '✗' : '✓') : run.status === 'skipped' ? '–' : '✗';
  const tail = run.error !== undefined ? `  ${run.error}` : run.tolerated === false ? '  (outside tolerance)' : '';
  return `${mark} [${run.phase}] ${run.type} ${run.name}  ${(run.endMs - run.startMs).toFixed(0)} ms${tail}`;
}

/** The summary table and verdict. */
export function renderJournalSummary(journal: Journal): string {
  const rows = journal.runs.map((r) => [
    r.phase,
    r.type,
    r.name,
    r.status + (r.tolerated === false ? ' (outside tolerance)' : ''),
    r.startMs / 1000,
    (r.endMs - r.startMs) / 1000,
  ]);
  const windows = journal.faultWindows.map(
    (w) => `  fault ${w.name}: ${(w.startMs / 1000).toFixed(1)} s → ${(w.endMs / 1000).toFixed(1)} s`,
  );
  return [
    `${journal.title}: ${journal.status.toUpperCase()}${journal.reason === undefined ? '' : ` — ${journal.reason}`}`,
    '',
    renderTable(['phase', 'type', 'name', 'status', 'at s', 'took s'], rows),
    ...(windows.length > 0 ? ['', 'fault windows:', ...windows] : []),
    `safeguard checks: ${journal.samples.length} (${journal.samples.filter((s) => !s.tolerated).length} failed)`,
  ].join('\n');
}
