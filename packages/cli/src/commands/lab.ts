/**
 * `headroom lab`: runs the reference service under load and shows what each technique buys.
 * Tables go to stdout (or JSON with --json), live progress to stderr; the HTML report is written
 * after the results are printed. Ctrl-C (or SIGTERM, or the terminal closing) stops every replica,
 * removes temporary files, prints the completed phases (and writes them to the report) and exits
 * 130; a second Ctrl-C kills the replicas at once.
 */
import type { Command } from 'commander';
import { systemClock, seedFromEnv } from 'headroom';
import {
  LAB_DEFAULTS,
  type RawLabOptions,
  interrupted,
  invalidLabOption,
  parseLabOptions,
  renderHtml,
  renderScaleScenario,
  renderSlowReplicasScenario,
  renderSummary,
  runLab,
  scenarioCatalog,
  streamProgress,
  CHAOS_SCENARIO,
  SCALE_SCENARIO,
  SLOW_REPLICAS_SCENARIO,
} from '../lab/index.js';
import { checkReportWritable, writeReport } from '../report/report-file.js';
import { renderFitReport } from '../scale/fit-report.js';
import { LAG_THRESHOLD_MS } from '../lab/service/stall-recorder.js';

/** Exit code after Ctrl-C (128 + SIGINT), as shells expect. */
const EXIT_INTERRUPTED = 130;
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Registers `headroom lab` on the program. */
export function registerLab(program: Command): void {
  const names = scenarioCatalog({ replicas: LAB_DEFAULTS.replicas }).map((s) => s.name);
  program
    .command('lab')
    .description(
      'run a reference product-catalog service on several replicas, load it, break it, and measure what caching, balancing, hedging and load shedding buy',
    )
    .option(
      '--scenario <names>',
      `one scenario or a comma-separated list: ${names.join(', ')} (default: all), or opt-in: ${CHAOS_SCENARIO} (kill a replica, stall Redis), ${SCALE_SCENARIO} (a concurrency sweep and USL fit), ${SLOW_REPLICAS_SCENARIO} (round-robin, P2C and Prequal interleaved against slowed replicas)`,
    )
    .option('--duration <duration>', 'measured time of each phase', LAB_DEFAULTS.duration)
    .option('--warmup <duration>', "unmeasured warm-up before each phase (the run's first: 4×)", LAB_DEFAULTS.warmup)
    .option('--interval <duration>', 'timeline resolution', LAB_DEFAULTS.interval)
    .option('--replicas <n>', 'replica processes', String(LAB_DEFAULTS.replicas))
    .option('--products <n>', 'products seeded into the store', String(LAB_DEFAULTS.products))
    .option('--zipf <s>', 'Zipf exponent of key popularity', String(LAB_DEFAULTS.zipf))
    .option('--seed <n>', `seed of every random choice (default ${LAB_DEFAULTS.seed}, or HEADROOM_SEED)`)
    .option('--store <url>', 'sqlite (embedded file, the default) or a postgres:// URL')
    .option('--redis <url>', "Redis URL for the cache's shared tier (default: in-process cache only)")
    .option('--base-port <port>', 'listen on base-port, base-port+1, … instead of OS-assigned ports')
    .option('--report <file>', `where to write the HTML report (default: ${LAB_DEFAULTS.report}; with --json, only when given)`)
    .option('--no-report', 'do not write the HTML report')
    .option('--json', 'print the results as JSON on stdout instead of tables')
    .option(
      '--trace-picks <file>',
      "write every balancer pick (candidates, their load and pending, the choice) and every round trip fed to the load metric as NDJSON, and each replica's event-loop stalls and GC pauses to <file>.replica-<i>.ndjson, the client's to <file>.client.ndjson (summarised by headroom sim-vs-lab <lab.json> --picks <file>)",
    )
    .option(
      '--stall-threshold <d>',
      `with --trace-picks: the shortest event-loop lag each replica and the client record as a stall (default ${LAG_THRESHOLD_MS}ms; at least 1ms)`,
    )
    .action(async (raw: RawLabOptions & { json?: boolean }, command: Command) => {
      const json = raw.json === true;
      const options = parseLabOptions(raw, names, process.env['HEADROOM_SEED'] === undefined ? null : seedFromEnv(0), { json }, [
        CHAOS_SCENARIO,
        SCALE_SCENARIO,
        SLOW_REPLICAS_SCENARIO,
      ]);
      // Before anything runs: a path that cannot be written must not throw away a finished tour.
      const reportPath =
        options.reportPath === null
          ? null
          : checkReportWritable(options.reportPath, (reason) =>
              invalidLabOption('--report', options.reportPath, `use a file this user can write (${reason}), or --no-report`),
            );
      const rerun = rerunCommand(command, options.seed);
      const progress = streamProgress(process.stderr);
      if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', () => undefined);
      const controller = new AbortController();
      let forceStop: (() => void) | null = null;
      const onSignal = (signal: NodeJS.Signals): void => {
        if (controller.signal.aborted) {
          forceStop?.();
          process.exit(EXIT_INTERRUPTED);
        }
        progress.line(`${signal}: stopping replicas and removing temporary files… (again to kill at once)`);
        controller.abort(interrupted(signal));
      };
      // SIGHUP: the terminal closed — clean up as for Ctrl-C rather than die and leave files behind.
      for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
      // Last resort if the process exits abruptly: no replica may outlive the lab.
      const onExit = (): void => forceStop?.();
      process.on('exit', onExit);
      try {
        const report = await runLab(options, {
          clock: systemClock,
          progress,
          signal: controller.signal,
          command: rerun,
          onForceStop: (f) => {
            forceStop = f;
          },
        });
        // The results first: nothing that can fail afterwards (the report file) may lose them.
        process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `\n${renderSummary(report, null)}\n`);
        if (!json && report.scale !== undefined) process.stdout.write(`\n${renderScaleScenario(report.scale)}\n`);
        if (!json && report.slowReplicas !== undefined) process.stdout.write(`\n${renderSlowReplicasScenario(report.slowReplicas)}\n`);
        const scaleFit = report.scenarios.length === 0 && report.chaos === undefined ? report.scale?.fit : undefined;
        if (reportPath !== null && scaleFit !== undefined && scaleFit !== null) {
          const failure = writeReport(
            reportPath,
            renderFitReport(scaleFit, `the reference service, ${report.settings.replicas} replicas`, rerun),
          );
          progress.line(
            failure === null ? `HTML report: ${reportPath}` : `headroom: could not write the HTML report to ${reportPath} (${failure})`,
          );
          if (failure !== null) process.exitCode = 1;
        }
        if (reportPath !== null && (report.scenarios.length > 0 || report.chaos !== undefined)) {
          const failure = writeReport(reportPath, renderHtml(report));
          if (failure !== null) {
            progress.line(`headroom: could not write the HTML report to ${reportPath} (${failure}); the results are printed above.`);
            process.exitCode = 1;
          } else if (json) {
            progress.line(`HTML report: ${reportPath}`);
          } else {
            process.stdout.write(`HTML report: ${reportPath}\n`);
          }
        }
        if (report.interrupted !== null) {
          const reason: unknown = controller.signal.reason;
          progress.line(`headroom: ${reason instanceof Error ? reason.message : report.interrupted.reason}`);
          process.exitCode = EXIT_INTERRUPTED;
        }
      } finally {
        for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
        process.off('exit', onExit);
      }
    });
}

/** The command line that reproduces this run: the options given on the command line, plus the seed. */
function rerunCommand(command: Command, seed: number): string {
  const parts = ['npx headroom lab'];
  const seen = new Set<string>(['seed']);
  for (const option of command.options) {
    const name = option.attributeName();
    if (seen.has(name) || command.getOptionValueSource(name) !== 'cli') continue;
    seen.add(name);
    const value = command.getOptionValue(name) as unknown;
    if (value === false) parts.push(`--no-${option.long!.replace(/^--(no-)?/, '')}`);
    else if (value === true) parts.push(option.long!);
    else parts.push(`${option.long!.replace(/^--no-/, '--')} ${JSON.stringify(String(value)).slice(1, -1)}`);
  }
  parts.push(`--seed ${seed}`);
  return parts.join(' ');
}
