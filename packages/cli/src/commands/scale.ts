/**
 * `headroom scale`: fit the Universal Scalability Law to measurements and plan capacity on a fit.
 *
 * - `headroom scale fit <file>`: CSV or JSON of (N, X) or (N, latency); prints the coefficients
 *   with intervals, the peak, the Amdahl limit and the residuals (or the fit as JSON with `--json`)
 *   and writes the HTML report with the fitted curve, its confidence band and the points.
 * - `headroom scale plan --fit fit.json --target 5000rps`: how many N reach the target, or that the
 *   target is past the peak (exit 1), naming the peak.
 * - `headroom scale run <url>`: load a URL closed loop (`--concurrency`) or open loop (`--rate`:
 *   constant, a ramp `100..2000`, steps `100,200,400`), with a progress line every second, a final
 *   table, `--threshold`s (exit 99 when one fails), and the latency as `.hgrm` and the timeline as
 *   CSV on request; on `--workers` threads, or on `headroom scale worker`s joined through `--redis`.
 * - `headroom scale sweep <url> --concurrency 1,2,4,8`: a closed-loop run per concurrency, X(N)
 *   fitted, the fit's tables and report; `--rates 100,200,400`: an open-loop run per rate, and the knee.
 * - `headroom scale worker --redis <url>`: a load worker that joins runs coordinated through Redis.
 */
import type { Command } from 'commander';
import { renderTable } from 'headroom';
import { fitUsl, planCapacity, type CapacityPlan, type UslIntervalMethod } from 'headroom/scale';
import { checkReportWritable, writeReport } from '../report/report-file.js';
import { invalidScaleFlag } from '../scale/errors.js';
import { renderFitReport } from '../scale/fit-report.js';
import { renderFitSummary } from '../scale/fit-summary.js';
import { sig } from '../scale/format.js';
import { readMeasurements } from '../scale/read-measurements.js';
import { parseThroughput, readFit } from '../scale/read-fit.js';
import { scaleRun, type RunFlags } from '../scale/run-command.js';
import { scaleSweep, type SweepFlags } from '../scale/sweep-command.js';
import { scaleWorker, type WorkerFlags } from '../scale/worker-command.js';

/** Where `scale fit` writes its report unless told otherwise (not with --json). */
const DEFAULT_REPORT = 'scale-report.html';

interface FitFlags {
  readonly json?: boolean;
  readonly report?: string | false;
  readonly level: string;
  readonly interval: string;
}

/** Registers `headroom scale` and its subcommands on the program. */
export function registerScale(program: Command): void {
  const scale = program
    .command('scale')
    .description(
      'load a URL honestly (open or closed loop, threads or machines), find the knee, fit the Universal Scalability Law, plan capacity',
    );
  scale
    .command('fit')
    .description('fit X(N) = γN / (1 + α(N−1) + βN(N−1)) to a CSV or JSON file of (N, throughput) or (N, latency_ms)')
    .argument('<file>', 'measurements: CSV with a header (n,throughput | n,latency_ms) or headerless N,X rows; or JSON')
    .option('--json', 'print the fit as JSON (what `scale plan --fit` reads) instead of tables')
    .option('--report <file>', `where to write the HTML report (default: ${DEFAULT_REPORT}; with --json, only when given)`)
    .option('--no-report', 'do not write the HTML report')
    .option('--level <p>', 'confidence level of the intervals', '0.95')
    .option('--interval <method>', "coefficient intervals: 'usl' (R usl's ± SE·qt(level, n−1)) or 'two-sided'", 'usl')
    .action((file: string, flags: FitFlags, command: Command) => {
      const level = Number(flags.level);
      if (!(level > 0 && level < 1)) throw invalidScaleFlag('--level', flags.level, 'pass a level between 0 and 1, e.g. 0.95');
      if (flags.interval !== 'usl' && flags.interval !== 'two-sided')
        throw invalidScaleFlag('--interval', flags.interval, "pass 'usl' or 'two-sided'");
      const reportFile = flags.report === false ? null : (flags.report ?? (flags.json === true ? null : DEFAULT_REPORT));
      const reportPath =
        reportFile === null
          ? null
          : checkReportWritable(reportFile, (reason) =>
              invalidScaleFlag('--report', reportFile, `use a file this user can write (${reason}), or --no-report`),
            );
      const fit = fitUsl(readMeasurements(file), { level, interval: flags.interval as UslIntervalMethod });
      process.stdout.write(flags.json === true ? `${JSON.stringify(fit, null, 2)}\n` : `${renderFitSummary(fit, file)}\n`);
      if (reportPath !== null) {
        const failure = writeReport(reportPath, renderFitReport(fit, file, commandLine(command, file)));
        process.stderr.write(failure === null ? `report: ${reportPath}\n` : `report not written: ${failure}\n`);
        if (failure !== null) process.exitCode = 1;
      }
    });
  const loadFlags = (c: Command): Command =>
    c
      .option('--duration <time>', 'how long to send (per concurrency, for sweep)', '10s')
      .option('--connections <n>', 'keep-alive connections (default: the concurrency; 64 for --rate)')
      .option('--pipelining <n>', 'HTTP/1.1 requests pipelined per connection', '1')
      .option('--method <method>', 'HTTP method', 'GET')
      .option('--header <name: value>', 'request header (repeatable)', collect, [])
      .option('--body <text>', 'request body')
      .option('--arrivals <process>', "open loop: 'constant' (evenly spaced, as wrk2) or 'poisson'", 'constant')
      .option('--workers <n>', 'worker threads sharing the load (histograms merged exactly)', '1')
      .option(
        '--redis <url>',
        'share the load with `headroom scale worker`s joined through this Redis (redis://[user:pass@]host:port, rediss:// for TLS)',
      )
      .option('--expect-workers <n>', 'with --redis: workers that must join before the run starts (default 1)')
      .option('--prefix <prefix>', 'with --redis: key prefix shared with the workers', 'headroom:scale')
      .option('--join-timeout <time>', 'with --redis: how long to wait for the workers to join', '30s')
      .option('--heartbeat-timeout <time>', 'with --redis: a worker silent this long is reported lost', '10s')
      .option('--json', 'print the result as JSON');
  loadFlags(
    scale
      .command('run')
      .description('load a URL closed loop (--concurrency) or open loop (--rate) and report latency, throughput and thresholds')
      .argument('<url>', 'the http(s) URL to request')
      .option('--concurrency <n>', 'closed loop: requests in flight (default 10)')
      .option(
        '--rate <per-second>',
        'open loop, latency timed from intended send times: 500, a ramp 100..2000, or steps 100,200,400 (each for --duration)',
      )
      .option(
        '--ramp <time>',
        'with --rate A..B: the ramp takes this long, then B is held for --duration; with one rate: ramp up from 0 first',
      )
      .option('--threshold <rule>', "fail (exit 99) unless it holds, e.g. 'p99<50ms', 'errors<1%', 'rps>=1000' (repeatable)", collect, [])
      .option('--hgrm <file>', "write the latency distribution in HdrHistogram's .hgrm text format")
      .option('--csv <file>', 'write the per-second timeline as CSV'),
  ).action((url: string, flags: RunFlags) => scaleRun(url, flags));
  loadFlags(
    scale
      .command('sweep')
      .description(
        'closed loop at each concurrency (X(N), USL fit) or open loop at each rate (latency against offered rate, the knee), and the report',
      )
      .argument('<url>', 'the http(s) URL to request')
      .option('--concurrency <list>', 'closed loop: comma-separated concurrencies, e.g. 1,2,4,8,16,32')
      .option('--rates <list>', 'open loop: comma-separated offered rates, req/s, e.g. 100,200,400,800')
      .option(
        '--knee-factor <k>',
        'with --rates: the knee is where p99 passes k × the low-load p99 (or ok/s < 95% of offered, or errors > 1%)',
        '3',
      )
      .option('--report <file>', `where to write the HTML report (default: ${DEFAULT_REPORT}; with --json, only when given)`)
      .option('--no-report', 'do not write the HTML report'),
  ).action((url: string, flags: SweepFlags) =>
    scaleSweep(
      url,
      flags,
      `npx headroom scale sweep ${url} ${flags.rates === undefined ? `--concurrency ${flags.concurrency}` : `--rates ${flags.rates}`} --duration ${flags.duration}`,
    ),
  );
  scale
    .command('worker')
    .description('a load worker on this machine: joins runs coordinated through Redis (`scale run … --redis <url> --expect-workers N`)')
    .requiredOption('--redis <url>', 'the Redis the coordinator uses (redis://[user:pass@]host:port, rediss:// for TLS)')
    .option('--prefix <prefix>', 'key prefix shared with the coordinator', 'headroom:scale')
    .option('--name <name>', 'this worker in reports (default host:pid)')
    .option('--once', 'serve one run, then exit')
    .action((flags: WorkerFlags) => scaleWorker(flags));
  scale
    .command('plan')
    .description('how many N (nodes, workers) reach a target throughput, or whether it is past the peak')
    .requiredOption('--fit <file>', 'a fit: the JSON `headroom scale fit --json` prints, or {"alpha","beta","gamma"}')
    .requiredOption('--target <throughput>', 'the throughput to reach, e.g. 5000rps, 5k, 1200/s')
    .option('--json', 'print the plan as JSON')
    .action((flags: { fit: string; target: string; json?: boolean }) => {
      const target = parseThroughput(flags.target);
      if (!(target > 0)) throw invalidScaleFlag('--target', flags.target, 'pass a positive throughput such as 5000rps, 5k or 1200/s');
      const plan = planCapacity(readFit(flags.fit), target);
      process.stdout.write(flags.json === true ? `${JSON.stringify(plan, null, 2)}\n` : `${renderPlan(plan)}\n`);
      if (!plan.reachable) process.exitCode = 1;
    });
}

/** The plan as a sentence and a table. */
function renderPlan(plan: CapacityPlan): string {
  if (!plan.reachable) {
    const where =
      plan.reason === 'past-peak' && plan.peak !== null
        ? `throughput peaks at ${sig(plan.peak.throughput)}/s at N* = ${sig(plan.peak.n)}; past that, adding more makes it slower`
        : `throughput approaches the Amdahl limit γ/α = ${sig(plan.limit)}/s and never reaches it`;
    return `target ${sig(plan.target)}/s is out of reach: ${where}.`;
  }
  const rows: string[][] = [
    ['target', `${sig(plan.target)}/s`],
    ['N needed', String(plan.n)],
    ['X at that N', `${sig(plan.throughputAtN)}/s`],
    ['N with margin (lower end of the prediction band)', plan.nWithMargin === null ? '–' : String(plan.nWithMargin)],
    ['peak N*', plan.peak === null ? 'none (β = 0)' : `${sig(plan.peak.n)} (X = ${sig(plan.peak.throughput)}/s)`],
  ];
  return renderTable(['plan', 'value'], rows);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function commandLine(command: Command, file: string): string {
  const flags = command.opts<Record<string, unknown>>();
  const extra = [
    flags['level'] !== '0.95' ? `--level ${String(flags['level'])}` : '',
    flags['interval'] !== 'usl' ? `--interval ${String(flags['interval'])}` : '',
  ]
    .filter((s) => s !== '')
    .join(' ');
  return `npx headroom scale fit ${file}${extra === '' ? '' : ` ${extra}`}`;
}
