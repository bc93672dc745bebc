/** The lab's terminal summary: one side-by-side table per scenario, its verdict, and how to rerun. */
import { renderTable } from 'headroom';
import { METRICS, STANDARD_COLUMNS } from './metrics.js';
import type { LabReport, ScenarioResult } from './types.js';
import { renderChaosSummary } from '../chaos/render.js';

/**
 * Renders every scenario of `report` as text.
 * @param reportPath - the HTML report's path to name in the footer, or null (e.g. not written yet)
 */
export function renderSummary(report: LabReport, reportPath: string | null): string {
  const blocks = report.scenarios.map(renderScenario);
  if (report.chaos !== undefined) blocks.push(renderChaosSummary(report.chaos));
  if (report.interrupted !== null) blocks.unshift(interruptedBanner(report.interrupted));
  const s = report.settings;
  const env = report.environment;
  const footer = [
    `${s.replicas} replicas · ${s.products.toLocaleString('en-US')} products on ${s.store}${s.redis ? ' + Redis' : ''} · ` +
      `${s.phaseDurationMs / 1000} s per phase after ${s.warmupMs / 1000} s warm-up · Zipf ${s.zipfExponent} · seed ${report.seed} · ` +
      `total ${(report.totalMs / 1000).toFixed(0)} s`,
    "Latency: successful requests, timed from each request's intended send time (open loop, no coordinated omission).",
    `Machine: ${env.cpus} CPUs, load average ${env.loadAverage.start} → ${env.loadAverage.end}` +
      (Math.max(env.loadAverage.start, env.loadAverage.end) > env.cpus
        ? ' — other work competed for the CPUs, so tails are noisier than on an idle machine.'
        : '.') +
      (env.hostProbe === undefined ? '' : ` ${hostProbeText(env.hostProbe)}`),
    ...(reportPath === null ? [] : [`HTML report: ${reportPath}`]),
    `Rerun: ${report.command}`,
  ];
  return [...blocks, footer.join('\n')].join('\n\n');
}

/** The host probe of a run's start and end, as a sentence: CPU ms (how fast the host ran) and wall ms (how much of a CPU the lab got). */
export function hostProbeText(p: NonNullable<LabReport['environment']['hostProbe']>): string {
  return `A fixed piece of CPU work took ${p.start.cpuMs} → ${p.end.cpuMs} ms of CPU (more: a slower host) in ${p.start.wallMs} → ${p.end.wallMs} ms of wall time (more than the CPU: other work held the CPU).`;
}

/** The first line of an interrupted run's summary. */
export function interruptedBanner(i: NonNullable<LabReport['interrupted']>): string {
  return (
    `${i.reason} after ${i.completedPhases} of ${i.totalPhases} phases; ` +
    (i.completedPhases === 0 ? 'no phase completed.' : 'the completed phases:')
  );
}

function renderScenario(scenario: ScenarioResult): string {
  const head = `${scenario.name} — ${scenario.title}\n${scenario.question}`;
  const columns = scenario.extraColumn === null ? STANDARD_COLUMNS : [...STANDARD_COLUMNS, scenario.extraColumn];
  const rows = scenario.phases.map((p) => [p.label, ...columns.map((key) => METRICS[key].format(METRICS[key].get(p)))]);
  const table = renderTable(['phase', ...columns.map((key) => METRICS[key].label)], rows);
  // renderTable right-aligns numeric cells only; ours are pre-formatted strings, so align them here.
  const aligned = table
    .split('\n')
    .map((line, i) => (i === 1 ? line : alignRight(line, table.split('\n')[1]!)))
    .join('\n');
  const notes = [...warmupNotes(scenario), ...lagNotes(scenario)].map((n) => `\n${n}`).join('');
  return `${head}\n${aligned}\n→ ${scenario.verdict}${notes}`;
}

/**
 * One line per phase warmed to steady state: how much traffic was replayed into its cache, and the
 * hit ratio over each third of the replay (a third spans a TTL in the cache scenario, which averages
 * out the ripple of entries first loaded together expiring together). "Settled" when the last two
 * thirds agree within a point.
 */
export function warmupNotes(scenario: ScenarioResult): string[] {
  return scenario.phases.flatMap((p) => {
    const w = p.steadyWarmup;
    if (w === null) return [];
    const blockSec = w.replayedSec / Math.max(1, w.hitRatioByBlock.length);
    const { ratios, blocksEach } = replayThirds(w.hitRatioByBlock);
    const [previous, last] = ratios.slice(-2);
    const settled = previous !== undefined && last !== undefined && Math.abs(last - previous) <= 0.01 ? 'settled' : 'not settled yet';
    return [
      `· ${p.label}: warmed first by replaying ${w.replayedSec} s of its own traffic (${w.requests.toLocaleString('en-US')} requests, ` +
        `in ${(w.tookMs / 1000).toFixed(1)} s); hit ratio over each ${(blockSec * blocksEach).toFixed(0)} s of it: ` +
        `${ratios.map((h) => `${(h * 100).toFixed(1)}%`).join(', ')} (${settled})` +
        (w.failed === 0
          ? ''
          : `; ${w.failed.toLocaleString('en-US')} replayed requests failed and were skipped (${w.error ?? 'no message'})`),
    ];
  });
}

/**
 * Mean hit ratio of each of the last three equal runs of blocks (blocks of equal replayed time
 * hold about as many reads); with fewer than three blocks, each block alone.
 */
export function replayThirds(blocks: readonly number[]): { readonly ratios: number[]; readonly blocksEach: number } {
  if (blocks.length < 3) return { ratios: [...blocks], blocksEach: 1 };
  const size = Math.floor(blocks.length / 3);
  const ratios: number[] = [];
  for (let start = blocks.length - 3 * size; start < blocks.length; start += size) {
    ratios.push(blocks.slice(start, start + size).reduce((a, b) => a + b, 0) / size);
  }
  return { ratios, blocksEach: size };
}

/** The load generator's own stall above which a phase's tail says as much about the client as the service. */
export const LAG_WARN_MS = 50;

/** One warning per phase whose load generator itself stalled, e.g. on a busy machine. */
export function lagNotes(scenario: ScenarioResult): string[] {
  return scenario.phases
    .filter((p) => p.generatorLagMs.max > LAG_WARN_MS)
    .map(
      (p) =>
        `! ${p.label}: the load generator itself sent up to ${p.generatorLagMs.max.toFixed(0)} ms late (its own stalls), so its tail includes client-side delay.`,
    );
}

/** Right-aligns every column but the first, using the dash rule to find column widths. */
function alignRight(line: string, rule: string): string {
  const widths = rule.split('  ').map((d) => d.length);
  let pos = 0;
  const cells = widths.map((w, i) => {
    const cell = line.slice(pos, pos + w);
    pos += w + 2;
    return i === 0 ? cell.padEnd(w) : cell.trim().padStart(w);
  });
  return cells.join('  ').trimEnd();
}
