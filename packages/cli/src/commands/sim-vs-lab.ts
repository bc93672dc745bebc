/**
 * `headroom sim-vs-lab <lab.json>`: reproduction 8 — the lab's slow-replica and stalls scenarios
 * modelled from a `headroom lab --json` run, the simulator's p50/p99 beside the lab's (per-replica
 * when the run recorded each replica's CDF and the client's loop delay; the mixed-CDF model beside it).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { renderTable } from 'headroom';
import { HistogramFileError } from 'headroom/sim';
import { summarisePicks, MANY_PENDING, type PickSummary } from '../lab/client/pick-trace-summary.js';
import { summariseHedges, type HedgeFigures } from '../lab/client/hedge-trace-summary.js';
import { BUNCH_BIN_MS, summariseBunching, type Bunching } from '../lab/client/slow-bunching.js';
import { windowRoundTrips, type WindowRoundTrips } from '../lab/client/round-trips.js';
import { SPEED_BIN_MS, speedTimeline, steadySpeedRatios } from '../lab/client/machine-speed.js';
import { quantilesOf } from '../lab/quantile.js';
import {
  AFTER_MS,
  TOGETHER_MS,
  machinePausesOf,
  parseStallTrace,
  phaseWindows,
  stallShareOf,
  lagsIn,
  summariseStalls,
  type MachinePauseFit,
  type PhaseWindow,
  type StallTrace,
} from '../lab/client/fleet-stalls.js';
import { clientTracePath, LAG_THRESHOLD_MS, replicaTracePath } from '../lab/service/stall-recorder.js';
import { hostProbeText } from '../lab/report/terminal.js';
import {
  compareWithLab,
  injectedStallMs,
  MACHINE_CHANGED,
  SPEED_BLOCK_BINS,
  SPREAD_RUNS,
  WINDOWS,
  type LabComparisonRow,
  type LabJson,
  type WindowSpeed,
  type Range,
} from '../sim/lab-compare.js';

/** The lab run's host probe, when it has one, after the load average. */
function hostProbeLine(lab: LabJson): string {
  return lab.environment.hostProbe === undefined ? '' : `; ${hostProbeText(lab.environment.hostProbe)}`;
}

function readLab(path: string): LabJson {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new HistogramFileError(path, `not readable lab JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const v = value as Partial<LabJson> & { tool?: unknown };
  if (v.tool !== 'headroom lab' || !Array.isArray(v.scenarios))
    throw new HistogramFileError(
      path,
      'not `headroom lab --json` output; run `headroom lab --scenario slow-replica,stalls --json > lab.json`',
    );
  if (!v.scenarios.some((s) => s.name === 'slow-replica' || s.name === 'stalls'))
    throw new HistogramFileError(path, 'the run has neither the slow-replica nor the stalls scenario');
  return v as LabJson;
}

/** The per-replica model's calibration check: each replica recorded and simulated alone (empty for the mixed-CDF model). */
function replicaTable(rows: readonly LabComparisonRow[]): string {
  const checked = rows.filter((r) => r.replicas !== null);
  if (checked.length === 0) return '';
  const q = (x: { p50: number; p90: number; p99: number }): string => `${x.p50.toFixed(2)} / ${x.p90.toFixed(2)} / ${x.p99.toFixed(1)}`;
  return `\n\neach replica in the baseline, as the client saw it (recorded: send to answer; simulated alone with the client's stalls):\n${renderTable(
    ['scenario', 'replica', 'recorded p50 / p90 / p99', 'simulated p50 / p90 / p99'],
    checked.flatMap((r) => r.replicas!.map((c, i) => [r.scenario, String(i), q(c.recorded), q(c.simulated)])),
  )}`;
}

/**
 * The lab's one window against the model's window-by-window spread: its share to replica 0, how
 * that share moved second by second, and its p99, each beside the model's p5–p95 with a verdict.
 */
function spreadTable(rows: readonly LabComparisonRow[]): string {
  const judged = rows.filter((r) => r.spread !== null);
  if (judged.length === 0) return '';
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const pctRange = (r: Range): string => `${pct(r.p5)} – ${pct(r.p95)}`;
  return `

the lab's one window against ${judged[0]!.spread!.runs} model runs of one window each (their p5 – p95):
${renderTable(
  [
    'scenario',
    'phase',
    'lab to replica 0',
    'model',
    'verdict',
    'per-second share to replica 0: lab max − min (lab seconds)',
    'model',
    'verdict',
    'lab p99',
    'model',
    'verdict',
  ],
  judged.map((r) => {
    const w = r.spread!;
    const s = w.secondSpread;
    return [
      r.scenario,
      r.phase,
      pct(r.lab.slowShare),
      pctRange(w.share.model),
      w.share.verdict,
      s === null ? '– (lab run without per-second counts)' : `${pct(s.lab)} (${s.labSeconds.map((x) => (x * 100).toFixed(1)).join(' ')})`,
      s === null ? '–' : pctRange(s.model),
      s === null ? '–' : s.verdict,
      r.lab.p99.toFixed(1),
      `${w.p99.model.p5.toFixed(1)} – ${w.p99.model.p95.toFixed(1)}`,
      w.p99.verdict,
    ];
  }),
)}`;
}

/** A `headroom lab --trace-picks` file, read once: its text, the replicas' own files beside it, its phases' windows. */
interface PickTrace {
  readonly path: string;
  readonly text: string;
  /** The replicas' stall records (`<file>.replica-<i>.ndjson`); empty when they wrote none. */
  readonly replicas: readonly StallTrace[];
  /** The lab client's own stall records (`<file>.client.ndjson`); undefined in a trace from before the client recorded them. */
  readonly client: StallTrace | undefined;
  /** Each phase's window with its answered round trips. */
  readonly rounds: readonly WindowRoundTrips[];
  readonly windows: readonly PhaseWindow[];
}

/** Reads a pick trace and the replicas' files next to it (i = 0, 1, … while they exist). */
function readPickTrace(path: string): PickTrace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new HistogramFileError(path, `not a readable pick trace (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const replicas: StallTrace[] = [];
  for (let i = 0; existsSync(replicaTracePath(path, i)); i++)
    replicas.push(parseStallTrace(readFileSync(replicaTracePath(path, i), 'utf8'), replicaTracePath(path, i)));
  const clientPath = clientTracePath(path);
  const client = existsSync(clientPath) ? parseStallTrace(readFileSync(clientPath, 'utf8'), clientPath) : undefined;
  const windows = phaseWindows(text, path);
  if (windows.length === 0)
    throw new HistogramFileError(
      path,
      'holds no measured phase of a pick trace; record one with `headroom lab --scenario slow-replica,stalls --json --trace-picks <file>`',
    );
  return { path, text, replicas, client, windows, rounds: windowRoundTrips(text, path) };
}

/** The measured window of a scenario's phase in the trace, if it has one. */
function windowOf(trace: PickTrace, scenario: string, phase: string): PhaseWindow | undefined {
  return trace.windows.find((w) => w.scenario === scenario && w.phase === phase);
}

/** `--picks`: why the slow replica won its picks, per phase of a `headroom lab --trace-picks` file. */
function picksTable(trace: PickTrace): string {
  const { path, text } = trace;
  const pct = (n: number, of: number): string => (of === 0 ? '–' : `${n} (${((100 * n) / of).toFixed(1)}%)`);
  const rows = summarisePicks(text, path);
  if (rows.length === 0) return `\n${path}: no pick that read loads (P2C) inside a measured window\n`;
  return `\nwhy the slow replica (0) won a pick, inside each measured window (${path}; a candidate's RTT estimate is its load ÷ (pending + 1)):\n${renderTable(
    [
      'scenario',
      'phase',
      'picks',
      'drew replica 0',
      'chose replica 0',
      "of those: the fast candidate's estimate ≥ the slow one's (spiked)",
      `fast candidate had ≥ ${MANY_PENDING} pending`,
      'other',
    ],
    rows.map((r) => [
      r.scenario,
      r.phase,
      String(r.picks),
      pct(r.slowDrawn, r.picks),
      pct(r.slowChosen, r.picks),
      pct(r.spiked, r.slowChosen),
      pct(r.pending, r.slowChosen),
      pct(r.other, r.slowChosen),
    ]),
  )}\n${stallsTable(trace, rows)}`;
}

/**
 * `--picks`: when each hedging phase's backups went out against the delay their calls used, and
 * what the hedged calls took — the lab's (from the trace) above the model's (its real HedgeCore's
 * events over its measured window). A trace from before the lab traced hedges has none.
 */
function hedgesTable(trace: PickTrace, rows: readonly LabComparisonRow[]): string {
  const lab = summariseHedges(trace.text, trace.path);
  if (lab.length === 0) return '';
  const ms = (x: number): string => x.toFixed(1);
  const line = (source: string, f: HedgeFigures | null): string[] =>
    f === null
      ? [source, '–', '–', '–', '–', '–']
      : [
          source,
          `${f.hedges} (${f.calls === 0 ? '–' : `${((100 * f.hedges) / f.calls).toFixed(2)}%`})`,
          `${ms(f.delayMs.p50)} / ${ms(f.delayMs.p90)} / ${ms(f.delayMs.p99)}`,
          `${ms(f.lateMs.p50)} / ${ms(f.lateMs.p90)} / ${ms(f.lateMs.p99)} / ${ms(f.lateMs.max)}`,
          f.hedgedMs === null ? '–' : `${ms(f.hedgedMs.p50)} / ${ms(f.hedgedMs.p90)} / ${ms(f.hedgedMs.p99)} / ${ms(f.hedgedMs.max)}`,
          f.hedgedCalls === 0 ? '–' : `${((100 * f.originalWon) / f.hedgedCalls).toFixed(0)}%`,
        ];
  const body = lab.flatMap((l) => {
    const row = rows.find((r) => r.scenario === l.scenario && r.phase === l.phase);
    return [line(`${l.scenario} · ${l.phase}: lab`, l), line('  model', row?.sim.hedges ?? null)];
  });
  return `\nthe hedges inside each measured window: when each backup went out after its call's first attempt, less the delay that call used (late; the model's fire on time unless its client is stalled), the hedged calls' time from the first send to the winning answer, and how many of them their original attempt won anyway:\n${renderTable(
    [
      'phase',
      'backups (% of calls)',
      'hedge delay ms p50 / p90 / p99',
      'late ms p50 / p90 / p99 / max',
      "hedged calls' ms p50 / p90 / p99 / max",
      'original won',
    ],
    body,
  )}\n`;
}

/**
 * `--picks`: how each phase's slow answers bunched in time, the lab's (from the trace's round trips)
 * above the model's (its round trips over its measured window); answers slow on their own chance
 * give a dispersion near 1 and no correlation (lab/client/slow-bunching.ts).
 */
function bunchingTable(
  trace: PickTrace,
  rows: readonly LabComparisonRow[],
  stallMs: number,
  speed: ReadonlyMap<string, ReadonlyMap<string, WindowSpeed>>,
): string {
  const lab = summariseBunching(trace.rounds, stallMs);
  const line = (source: string, b: Bunching | null | undefined, s?: WindowSpeed): string[] => [
    source,
    ...(b === null || b === undefined ? ['–', '–', '–'] : [`${b.slow} of ${b.answers}`, b.dispersion.toFixed(2), b.correlation.toFixed(2)]),
    s === undefined
      ? '–'
      : quantilesOf(s.timeline.factors, [0.9, 0.99, 1])
          .map((f) => f.toFixed(2))
          .join(' / '),
  ];
  const body = rows
    .filter((r) => r.sim.bunching !== null)
    .flatMap((r) => [
      line(
        `${r.scenario} · ${r.phase}: lab`,
        lab.find((b) => b.scenario === r.scenario && b.phase === r.phase),
        speed.get(r.scenario)?.get(r.phase),
      ),
      line('  model', r.sim.bunching),
    ]);
  if (body.length === 0) return '';
  return `\nslow answers bunched in time, inside each measured window (slow: above the replica's p95 there, the injected ${stallMs} ms stalls left out; in ${BUNCH_BIN_MS} ms bins — answers slow on their own chance give a dispersion near 1 and no correlation), and the machine's slow-down per ${SPEED_BIN_MS} ms that the replay plays back:\n${renderTable(
    ['phase', 'slow answers', 'dispersion (variance ÷ mean per bin)', "replicas' correlation per bin", 'slow-down p90 / p99 / max'],
    body,
  )}\n`;
}

/** `--picks`, when the replicas wrote their own files: each scenario's baseline-window fleet-wide stalls as machine pauses. */
function machinePausesFrom(trace: PickTrace, lab: LabJson): Map<string, MachinePauseFit> {
  const out = new Map<string, MachinePauseFit>();
  if (trace.replicas.length === 0) return out;
  for (const scenario of lab.scenarios) {
    const base = scenario.phases.find((p) => p.role === 'baseline');
    const window = base === undefined ? undefined : windowOf(trace, scenario.name, base.label);
    const fit = window === undefined ? undefined : machinePausesOf(trace.replicas, window);
    if (fit !== undefined) out.set(scenario.name, fit);
  }
  return out;
}

/**
 * Something read from each of `processes`' files over each phase's window (`of`), by scenario and
 * phase label (empty when there are no files): each replica's stall time as a share of the window
 * ({@link stallShareOf}), or the stalls of each replica or of the client in it ({@link lagsIn}).
 */
function perProcessWindow<T>(
  trace: PickTrace,
  lab: LabJson,
  processes: readonly StallTrace[],
  of: (process: StallTrace, window: PhaseWindow) => T,
): Map<string, Map<string, T[]>> {
  const out = new Map<string, Map<string, T[]>>();
  if (processes.length === 0) return out;
  for (const scenario of lab.scenarios) {
    const phases = new Map<string, T[]>();
    for (const phase of scenario.phases) {
      const window = windowOf(trace, scenario.name, phase.label);
      if (window !== undefined)
        phases.set(
          phase.label,
          processes.map((r) => of(r, window)),
        );
    }
    if (phases.size > 0) out.set(scenario.name, phases);
  }
  return out;
}

/** Percentiles at which a replica's answers at a steady speed are set against them as recorded. */
const STEADY_PERCENTILES = [...Array.from({ length: 99 }, (_, i) => i + 1), 99.9];

/** The machine's speed over each phase's window, from its round trips, by scenario and phase label (lab/client/machine-speed.ts). */
function speedOf(trace: PickTrace, stallMs: number): Map<string, Map<string, WindowSpeed>> {
  const out = new Map<string, Map<string, WindowSpeed>>();
  for (const w of trace.rounds) {
    if (w.trips.length === 0) continue;
    const timeline = speedTimeline(w.trips, w.start, w.end, stallMs);
    const steady = steadySpeedRatios(w.trips, timeline, w.start, w.end, stallMs, w.replicas, STEADY_PERCENTILES);
    (out.get(w.scenario) ?? out.set(w.scenario, new Map()).get(w.scenario)!).set(w.phase, { timeline, steady });
  }
  return out;
}

/** The client's recorded stalls in each phase's window (`[startMs, lengthMs]` from its start), by scenario and phase label. */
function clientLagsOf(trace: PickTrace, lab: LabJson, client: StallTrace): Map<string, Map<string, [number, number][]>> {
  const out = new Map<string, Map<string, [number, number][]>>();
  for (const [scenario, phases] of perProcessWindow(trace, lab, [client], lagsIn))
    out.set(scenario, new Map([...phases].map(([phase, [lags]]) => [phase, lags!])));
  return out;
}

/** A warning for each scenario whose per-replica model came out slower than its lab baseline (empty when none did by more than a tenth). */
function overshootLine(rows: readonly LabComparisonRow[]): string {
  const over = rows.filter((r) => r.role === 'baseline (calibration)' && r.baselineOvershootMs > 0.1 * r.lab.p50);
  return over
    .map(
      (r) =>
        `\n! ${r.scenario}: the model's baseline p50 came out ${r.baselineOvershootMs.toFixed(1)} ms above the lab's (${r.lab.p50.toFixed(2)} ms) before any client time was added, so none was; this baseline does not calibrate the model${
          r.sendLagP99Ms === null
            ? ''
            : ` — its load generator sent up to ${r.sendLagP99Ms.baseline.toFixed(0)} ms late (send lag p99), which the replicas' CDFs and the loop delay both hold`
        }: rerun on a quieter machine`,
    )
    .join('');
}

/** The line under the table that says how each treatment's replica pauses were rescaled, if they were. */
function replicaPausesLine(rows: readonly LabComparisonRow[], picks: string | undefined): string {
  const scaled = rows.filter((r) => r.replicaPauseScale !== null);
  if (scaled.length === 0)
    return `replicas' pauses: the baseline's in every phase (${picks === undefined ? 'no --picks' : "no replicas' files next to the trace, or the mixed-CDF model"})`;
  return `replicas' pauses, rescaled in each treatment by its replicas' recorded stall time over the baseline's (replica 0, 1, …): ${scaled
    .map((r) => `${r.scenario} · ${r.phase} ${r.replicaPauseScale!.map((x) => `${x.toFixed(2)}×`).join(' ')}`)
    .join(', ')}`;
}

/** The line under the table that says whether the model had machine pauses, and which. */
function machinePausesLine(fits: ReadonlyMap<string, MachinePauseFit>, picks: string | undefined): string {
  if (fits.size === 0)
    return `machine pauses: none (${picks === undefined ? 'no --picks' : "no fleet-wide stall in a baseline window, or no replicas' files next to the trace"}); each replica's pauses are its own`;
  return `machine pauses, every server at once (each scenario's baseline-window fleet-wide stalls, each as its replicas' shortest lag; the replicas' own pauses are still fitted from their whole tails): ${[
    ...fits,
  ]
    .map(
      ([s, f]) =>
        `${s} ${f.stalls} in ${(f.windowMs / 1000).toFixed(1)} s → ${f.meanMs.toFixed(1)} ms every ${(f.windowMs / f.stalls / 1000).toFixed(2)} s`,
    )
    .join(', ')}`;
}

/** `--picks`, when the replicas wrote their own files: fleet-wide stalls in each window and the slow replica's wins after them. */
function stallsTable(trace: PickTrace, rows: readonly PickSummary[]): string {
  const { path, replicas } = trace;
  if (replicas.length === 0) return '';
  const summaries = rows.map((r) => ({ r, s: summariseStalls(r, replicas) }));
  if (summaries.every((x) => x.s === null))
    return `\n${path}: its window events carry no epochMs, so the replicas' files cannot be lined up with it\n`;
  const ms = (x: number): string => x.toFixed(1);
  const threshold = replicas.find((r) => r.thresholdMs !== undefined)?.thresholdMs ?? LAG_THRESHOLD_MS;
  return `\nfleet-wide stalls in each measured window (all ${replicas.length} replicas' loops ≥ ${threshold} ms late, within ${TOGETHER_MS} ms of each other; ${replicaTracePath(path, 0).replace(/0\.ndjson$/, '<i>.ndjson')}) and the slow replica's wins in the ${AFTER_MS / 1000} s after one:\n${renderTable(
    [
      'scenario',
      'phase',
      'stalls',
      'at s into window: shortest–longest lag ms [GC]',
      `wins ≤ ${AFTER_MS / 1000} s after`,
      'window time ≤ 1 s after',
    ],
    summaries.map(({ r, s }) =>
      s === null
        ? [r.scenario, r.phase, '–', '–', '–', '–']
        : [
            r.scenario,
            r.phase,
            String(s.stalls.length),
            s.stalls.length === 0
              ? '–'
              : s.stalls
                  .map(
                    (x) =>
                      `${((x.epochMs - r.windowEpochMs!.start) / 1000).toFixed(2)}: ${ms(x.shortestMs)}–${ms(x.longestMs)}${x.gcKinds.length === 0 ? '' : ` [${[...new Set(x.gcKinds)].join('+')}]`}`,
                  )
                  .join(', '),
            s.wins === 0 ? '–' : `${s.winsAfter}/${s.wins} (${((100 * s.winsAfter) / s.wins).toFixed(0)}%)`,
            `${(100 * s.timeAfterShare).toFixed(0)}%`,
          ],
    ),
  )}\n`;
}

/** Registers `headroom sim-vs-lab` on the program. */
export function registerSimVsLab(program: Command): void {
  program
    .command('sim-vs-lab')
    .description("compare the simulator with a lab run: the slow-replica and stalls scenarios modelled from the lab's recorded latencies")
    .argument('<lab.json>', 'output of `headroom lab --scenario slow-replica,stalls --json`')
    .option(
      '--picks <file>',
      "also summarise that run's `headroom lab --trace-picks <file>`: why the slow replica won its picks, the hedges beside the model's, and (with the replicas' files) the fleet-wide stalls before its wins and each treatment with the replicas' recorded stalls (and the client's, when it wrote them) and the machine's speed replayed, and how slow answers bunch in time, lab beside model",
    )
    .action((path: string, opts: { picks?: string }) => {
      const lab = readLab(path);
      process.stderr.write(`simulating each phase for ${WINDOWS}× the lab's window, and ${SPREAD_RUNS} runs of one window …\n`);
      const trace = opts.picks === undefined ? undefined : readPickTrace(opts.picks);
      const fits = trace === undefined ? new Map<string, MachinePauseFit>() : machinePausesFrom(trace, lab);
      const speed = trace === undefined ? new Map<string, Map<string, WindowSpeed>>() : speedOf(trace, injectedStallMs());
      const rows = compareWithLab(lab, {
        machinePauses: new Map([...fits].map(([s, f]) => [s, f.pauses])),
        replicaStalls: trace === undefined ? new Map() : perProcessWindow(trace, lab, trace.replicas, stallShareOf),
        replicaLags: trace === undefined ? new Map() : perProcessWindow(trace, lab, trace.replicas, lagsIn),
        clientLags: trace?.client === undefined ? new Map() : clientLagsOf(trace, lab, trace.client),
        speed,
      });
      // The older model beside it, when this run let the newer one be used.
      const mixed = rows.some((r) => r.source.service === 'per-replica') ? compareWithLab(lab, { mixedCdf: true, spreadRuns: 0 }) : null;
      const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
      const ratio = (sim: number, real: number): string => `${(sim / real).toFixed(2)}×`;
      process.stdout.write(
        `${renderTable(
          [
            'scenario',
            'phase',
            'role',
            'lab p50',
            'sim p50',
            'sim/lab',
            'lab p99',
            'sim p99',
            'sim/lab',
            'lab to replica 0',
            'sim to replica 0',
            'extra requests: lab, sim',
          ],
          rows.map((r) => [
            r.scenario,
            r.phase,
            r.role,
            r.lab.p50.toFixed(2),
            r.sim.p50.toFixed(2),
            ratio(r.sim.p50, r.lab.p50),
            r.lab.p99.toFixed(1),
            r.sim.p99.toFixed(1),
            ratio(r.sim.p99, r.lab.p99),
            pct(r.lab.slowShare),
            pct(r.sim.slowShare),
            `${Number.isNaN(r.lab.extra) ? '–' : pct(r.lab.extra)}, ${pct(r.sim.extra)}`,
          ]),
        )}\n\nthe same phases: the model without one of its parts, the older model, and the client's machine as the lab recorded it:\n${renderTable(
          [
            'scenario',
            'phase',
            'sim without stalls: p99, to replica 0',
            "sim without the replicas' tails: p99, to replica 0",
            "sim, the window replayed — its recorded stalls (the client's too: c) and its speed (s): p50, p99, to replica 0",
            `sim, the baseline window's speed drawn (blocks of ${(SPEED_BLOCK_BINS * SPEED_BIN_MS) / 1000} s), a prediction: p50, p99, to replica 0`,
            'mixed-CDF model: p50, p99, to replica 0',
            'send lag p99, baseline → phase',
            'client stalls',
          ],
          rows.map((r, i) => [
            r.scenario,
            r.phase,
            `${r.simWithoutStalls.p99.toFixed(1)}, ${pct(r.simWithoutStalls.slowShare)}`,
            r.simWithoutTails === null ? '–' : `${r.simWithoutTails.p99.toFixed(1)}, ${pct(r.simWithoutTails.slowShare)}`,
            r.simReplayed === null
              ? '–'
              : `${r.simReplayed.p50.toFixed(2)}, ${r.simReplayed.p99.toFixed(1)}, ${pct(r.simReplayed.slowShare)}${r.simReplayed.clientStalls === 'recorded' ? ' c' : ''}${r.simReplayed.speed ? ' s' : ''}`,
            r.simDrawnSpeed === null
              ? '–'
              : `${r.simDrawnSpeed.p50.toFixed(2)}, ${r.simDrawnSpeed.p99.toFixed(1)}, ${pct(r.simDrawnSpeed.slowShare)}`,
            mixed === null ? '–' : `${mixed[i]!.sim.p50.toFixed(2)}, ${mixed[i]!.sim.p99.toFixed(1)}, ${pct(mixed[i]!.sim.slowShare)}`,
            r.sendLagP99Ms === null
              ? '–'
              : `${r.sendLagP99Ms.baseline.toFixed(1)} → ${r.sendLagP99Ms.phase.toFixed(1)} ms${r.machineChanged ? ' *' : ''}`,
            r.clientStalls === null
              ? '–'
              : `${r.clientStalls.meanMs.toFixed(1)} ms every ${(r.clientStalls.meanIntervalMs / 1000).toFixed(2)} s (${r.source.stalls})`,
          ]),
        )}\nreplicas' service: ${[...new Set(rows.map((r) => r.source.service))].join(', ')}${
          rows.some((r) => r.clientMs !== 0)
            ? `; added to the simulated latency, the baseline's p50 gap — the client's own time before each send (≈ its send lag's p50): ${[
                ...new Map(rows.map((r) => [r.scenario, r.clientMs])),
              ]
                .map(([s, ms]) => `${s} ${ms.toFixed(2)} ms`)
                .join(', ')}`
            : ''
        }${
          rows.some((r) => r.source.service === 'mixed CDF')
            ? ' (a lab run without per-replica CDFs or the client loop delay: rerun the lab for the per-replica model)'
            : ''
        }\n${machinePausesLine(fits, opts.picks)}\n${replicaPausesLine(rows, opts.picks)}${replicaTable(rows)}${spreadTable(rows)}\nlab run: load average ${lab.environment.loadAverage.start.toFixed(1)} → ${lab.environment.loadAverage.end.toFixed(1)}${hostProbeLine(lab)}${
          rows.some((r) => r.machineChanged)
            ? `\n* the machine changed between the phases (send lag p99 off by more than ${MACHINE_CHANGED}×): the stalls are rescaled to the phase's lag, but the row does not test the model on the machine it was calibrated on`
            : ''
        }${overshootLine(rows)}\n${trace === undefined ? '' : `${picksTable(trace)}${hedgesTable(trace, rows)}${bunchingTable(trace, rows, injectedStallMs(), speed)}`}`,
      );
    });
}
