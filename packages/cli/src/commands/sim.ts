/**
 * `headroom sim <file|built-in>`: run a simulator scenario (a JSON file, or a built-in by name) —
 * every variant on the same seeds, replicated in worker threads — print progress, a side-by-side
 * table (or JSON with --json) and write an HTML report.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Command } from 'commander';
import { systemClock } from 'headroom';
import {
  builtinScenario,
  builtinScenarios,
  readLatencyHistogram,
  readScenarioFile,
  runScenario,
  validateScenario,
  DEFAULT_YOUNG_GENERATION_MB,
  MAX_SEED,
  ScenarioError,
  type HistogramUnit,
  type RunProgress,
  type Scenario,
} from 'headroom/sim';
import { checkReportWritable, writeReport } from '../report/report-file.js';
import { applyOverrides } from '../sim/overrides.js';
import { renderSimReport } from '../sim/report.js';
import { LOAD_TABLE_MAX_SERVERS, renderLoadDeviationTable, renderSimTable } from '../sim/table.js';

interface SimFlags {
  readonly seed?: string;
  readonly servers?: string;
  readonly rps?: string;
  readonly duration?: string;
  readonly replications: string;
  readonly threads?: string;
  readonly youngGen?: string;
  readonly json?: boolean;
  readonly report?: string | false;
  readonly print?: boolean;
  readonly histogram?: string;
  readonly histogramUnit?: string;
  readonly phase?: string;
}

function integer(flag: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= min && n <= max))
    throw new ScenarioError(
      flag,
      `got "${value}"; pass an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}`,
    );
  return n;
}

/** A flag's rate: a finite number above 0 (requests per second). */
function rate(flag: string, value: string): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!(Number.isFinite(n) && n > 0))
    throw new ScenarioError(flag, `got "${value}"; pass requests per second, a number above 0, e.g. 1000`);
  return n;
}

/** A scenario file: YAML (.yaml, .yml) or JSON, validated. */
function readScenario(path: string): Scenario {
  if (!/\.ya?ml$/i.test(path)) return readScenarioFile(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError('', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    // the parser's first line names the place ("… at line 5, column 78:"); a code frame follows it
    throw new ScenarioError('', `not valid YAML: ${(e as Error).message.split('\n')[0]!.replace(/:$/, '')}`, path);
  }
  return validateScenario(value, path);
}

/** The scenario `name` names: a file when one is there or the name ends in .json, .yaml or .yml (so a mistyped path says the file is missing), else a built-in. */
function scenarioNamed(name: string): Scenario {
  return existsSync(name) || /\.(json|ya?ml)$/i.test(name) ? readScenario(name) : builtinScenario(name);
}

/** Least time between two progress lines of a run in progress, ms. */
export const PROGRESS_INTERVAL_MS = 1000;

/**
 * Prints where the runs in progress are — simulated time as a share of the duration, and events
 * per second of wall time since the run's previous line — at most one line per
 * {@link PROGRESS_INTERVAL_MS} (the runs report about every `PROGRESS_EVENTS` events).
 * @param now - the wall clock, ms
 */
export function runProgressPrinter(
  write: (line: string) => void,
  now: () => number,
): (variant: string, seed: number, p: RunProgress) => void {
  let last = now();
  const seen = new Map<string, { atMs: number; events: number; simulatedMs: number }>();
  return (variant, seed, p) => {
    const t = now();
    const key = `${variant}\u0000${seed}`;
    const before = seen.get(key);
    // A run's first report only starts its rate.
    if (before === undefined) seen.set(key, { atMs: t, events: p.events, simulatedMs: p.simulatedMs });
    if (before === undefined || t - last < PROGRESS_INTERVAL_MS) return;
    last = t;
    seen.set(key, { atMs: t, events: p.events, simulatedMs: p.simulatedMs });
    const wallMs = t - before.atMs;
    const rate = wallMs > 0 ? ((p.events - before.events) * 1000) / wallMs : 0;
    let where = `draining ${p.inFlight} call(s) in flight at ${formatSeconds(p.simulatedMs)}`;
    if (p.simulatedMs <= p.durationMs) {
      const percent = (p.simulatedMs / p.durationMs) * 100;
      // virtual ms per wall ms since the run's previous line, for the time left
      const pace = wallMs > 0 ? (p.simulatedMs - before.simulatedMs) / wallMs : 0;
      const left = p.simulatedMs < p.durationMs && pace > 0 ? `, about ${formatWait((p.durationMs - p.simulatedMs) / pace)} left` : '';
      where = `${percent >= 1 ? percent.toFixed(0) : Number(percent.toPrecision(1))}% of ${formatSeconds(p.durationMs)} simulated${left}`;
    }
    // the calls in flight while arrivals go on: a count that keeps growing is a model above its capacity
    const held = p.simulatedMs <= p.durationMs ? `, ${p.inFlight.toLocaleString('en-US')} call(s) in flight` : '';
    write(`  ${variant} (seed ${seed}): ${where}, ${(rate / 1e6).toFixed(2)} M events/s${held}\n`);
  };
}

/** A wall-clock wait, ms, as a person reads it: `40 s`, `3.5 min`, `4.2 h`, `12 d`. */
function formatWait(ms: number): string {
  const s = ms / 1000;
  if (s < 90) return `${Number(s.toPrecision(2))} s`;
  if (s < 5400) return `${Number((s / 60).toPrecision(2))} min`;
  if (s < 172_800) return `${Number((s / 3600).toPrecision(2))} h`;
  return `${Number((s / 86_400).toPrecision(2))} d`;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toPrecision(4))} s`;
}

/** Registers `headroom sim` on the program. */
export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('simulate a fleet in virtual time with the real policy objects (a scenario file, or a built-in by name)')
    .argument('<scenario>', `a scenario file (JSON or YAML), or a built-in: ${builtinScenarios.map((s) => s.name).join(', ')}`)
    .option('--seed <n>', 'seed of the first replication (default: the scenario’s, else 1)')
    .option('--servers <n>', 'servers in the (single) server group')
    .option('--rps <n>', 'arrival rate, requests per second (fixed-rate arrivals only)')
    .option('--duration <d>', "simulated time, e.g. '60s' (warm-up: 10% of it)")
    .option('--replications <n>', 'replications per variant (seeds seed … seed+n−1)', '1')
    .option('--threads <n>', 'worker threads for the replications (default: 2 when replicating, else 1; 0 runs them in this thread)')
    .option(
      '--young-gen <MB>',
      `V8 young generation of each worker thread, MB (default ${DEFAULT_YOUNG_GENERATION_MB}, as node --max-semi-space-size=64: less GC for large models; 0 = V8's default); results do not change`,
    )
    .option('--json', 'print every run as JSON instead of the table')
    .option('--report <file>', 'where to write the HTML report (default: sim-report.html; with --json, only when given)')
    .option('--no-report', 'do not write the HTML report')
    .option('--print', 'print the scenario as JSON (a file to start from) and exit')
    .option(
      '--histogram <file>',
      'service time of every server from a recorded latency histogram: headroom lab --json output, an HdrHistogram .hgrm or .hlog, or one latency per line',
    )
    .option('--histogram-unit <unit>', 'unit of the histogram file’s values: ns, us, ms or s (default ms; lab JSON is ms)')
    .option('--phase <scenario[/phase]>', 'which lab phase of a lab JSON histogram (default: the first scenario’s baseline)')
    .action(async (name: string, flags: SimFlags) => {
      const base = scenarioNamed(name);
      const histogram =
        flags.histogram === undefined
          ? undefined
          : readLatencyHistogram(flags.histogram, {
              ...(flags.histogramUnit === undefined ? {} : { unit: flags.histogramUnit as HistogramUnit }),
              ...(flags.phase === undefined ? {} : { phase: flags.phase }),
            });
      if (histogram !== undefined)
        process.stderr.write(
          `service time: ${histogram.description} from ${flags.histogram} (p50 ${histogram.p50Ms.toFixed(2)} ms, p99 ${histogram.p99Ms.toFixed(2)} ms)\n`,
        );
      const scenario = validateScenario(
        applyOverrides(base, {
          ...(flags.servers === undefined ? {} : { servers: integer('--servers', flags.servers, 1)! }),
          ...(flags.rps === undefined ? {} : { rps: rate('--rps', flags.rps) }),
          ...(flags.duration === undefined ? {} : { duration: flags.duration }),
          ...(histogram === undefined ? {} : { service: histogram.service }),
        }),
        existsSync(name) ? name : undefined,
      );
      if (flags.print === true) {
        process.stdout.write(`${JSON.stringify(scenario, null, 2)}\n`);
        return;
      }
      const replications = integer('--replications', flags.replications, 1)!;
      // Even one replication runs in a worker thread by default: its heap gets the larger young generation.
      const threads = integer('--threads', flags.threads, 0) ?? (replications > 1 ? 2 : 1);
      const youngGenerationMb = integer('--young-gen', flags.youngGen, 0);
      if (youngGenerationMb !== undefined && threads === 0)
        throw new ScenarioError(
          '--young-gen',
          'sets the worker threads’ heaps, and --threads 0 runs in this thread; drop one (in this thread: node --max-semi-space-size=<MB/3> …)',
        );
      // a run's random streams take 32 bits of seed: a larger one would repeat another seed's run
      const seed = integer('--seed', flags.seed, 0, MAX_SEED);
      const reportFile = flags.report === false ? null : (flags.report ?? (flags.json === true ? null : 'sim-report.html'));
      const reportPath =
        reportFile === null
          ? null
          : checkReportWritable(
              reportFile,
              (reason) => new ScenarioError('--report', `cannot write ${reportFile} (${reason}); pass another file or --no-report`),
            );
      const started = systemClock.now();
      const progress = runProgressPrinter((line) => process.stderr.write(line), systemClock.now.bind(systemClock));
      const results = await runScenario(scenario, {
        onRunProgress: progress,
        ...(seed === undefined ? {} : { seed }),
        replications,
        threads,
        ...(youngGenerationMb === undefined ? {} : { youngGenerationMb }),
        onProgress: (variant, done, total) =>
          process.stderr.write(`  ${variant}: ${done}/${total} replication(s) (${((systemClock.now() - started) / 1000).toFixed(1)} s)\n`),
      });
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify({ scenario: scenario.name, variants: results }, null, 2)}\n`);
      } else {
        process.stdout.write(`${scenario.name}: ${scenario.description ?? ''}\n${renderSimTable(results)}\n`);
        if (results[0]!.replications.runs[0]!.served.length <= LOAD_TABLE_MAX_SERVERS)
          process.stdout.write(`\n${renderLoadDeviationTable(results)}\n`);
      }
      if (reportPath !== null) {
        const line = ['headroom sim', name, ...process.argv.slice(process.argv.indexOf('sim') + 2)].join(' ');
        const failure = writeReport(reportPath, renderSimReport(scenario, results, line));
        process.stderr.write(failure === null ? `report: ${reportPath}\n` : `report not written: ${failure}\n`);
        if (failure !== null) process.exitCode = 1;
      }
    });
}
