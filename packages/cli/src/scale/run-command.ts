/**
 * `headroom scale run <url>` and `headroom scale sweep <url>`: the actions behind the verbs (flags
 * parsed, runs started, tables, files, exit codes). Progress goes to stderr, results to stdout.
 */
import { writeFileSync } from 'node:fs';
import { parseDuration, renderTable } from 'headroom';
import { evaluateThresholds, fitUsl, parseThreshold, type HttpTargetOptions, type ThresholdResult } from 'headroom/scale';
import { checkReportWritable, writeReport } from '../report/report-file.js';
import { invalidScaleFlag } from './errors.js';
import { renderFitReport } from './fit-report.js';
import { renderFitSummary } from './fit-summary.js';
import { sig } from './format.js';
import { runLoad, timelineCsv, type LoadMode, type LoadRunResult } from './load-run.js';
import { runWorkerPool } from './worker-pool.js';

/** Exit code when a threshold fails (k6's). */
export const EXIT_THRESHOLD = 99;

/** Flags shared by run and sweep. */
export interface LoadFlags {
  readonly duration: string;
  readonly connections?: string;
  readonly pipelining: string;
  readonly method: string;
  readonly header: string[];
  readonly body?: string;
  readonly json?: boolean;
}

/** `scale run` flags. */
export interface RunFlags extends LoadFlags {
  readonly concurrency?: string;
  readonly rate?: string;
  readonly threshold: string[];
  readonly hgrm?: string;
  readonly csv?: string;
  readonly workers: string;
}

/** `scale sweep` flags. */
export interface SweepFlags extends LoadFlags {
  readonly concurrency: string;
  readonly report?: string | false;
}

/** Runs `headroom scale run`. */
export async function scaleRun(url: string, flags: RunFlags): Promise<void> {
  if (flags.concurrency !== undefined && flags.rate !== undefined)
    throw invalidScaleFlag('--rate', flags.rate, 'give either --concurrency (closed loop) or --rate (open loop), not both');
  const mode: LoadMode =
    flags.rate !== undefined
      ? { kind: 'open', ratePerSec: positive('--rate', flags.rate, false) }
      : { kind: 'closed', concurrency: positive('--concurrency', flags.concurrency ?? '10', true) };
  const thresholds = flags.threshold.map(parseThreshold);
  const durationMs = duration(flags.duration);
  const workers = positive('--workers', flags.workers, true);
  const onLine = (line: string): void => void process.stderr.write(`${line}\n`);
  const result = await withInterrupt((signal) =>
    workers === 1
      ? runLoad({ url, mode, durationMs, http: httpOptions(flags), signal, onLine })
      : runWorkerPool({ url, mode, durationMs, http: httpOptions(flags), signal, onLine, workers }),
  );
  for (const w of result.warnings) if (w.includes('before reporting') || w.includes('failed:')) process.stderr.write(`warning: ${w}\n`);
  const checked = evaluateThresholds(thresholds, {
    latency: result.latency,
    errorRate: result.errorRate,
    ratePerSec: result.throughputPerSec,
  });
  if (flags.hgrm !== undefined) writeFileSync(flags.hgrm, result.latency.percentileDistribution());
  if (flags.csv !== undefined) writeFileSync(flags.csv, timelineCsv(result.timeline));
  process.stdout.write(flags.json === true ? `${JSON.stringify(toJson(result, checked), null, 2)}\n` : `${renderRun(result, checked)}\n`);
  if (checked.some((t) => !t.passed)) process.exitCode = EXIT_THRESHOLD;
  else if ('workers' in result && (result.workers as { lost: string | null }[]).some((w) => w.lost !== null)) process.exitCode = 1;
}

/** Runs `headroom scale sweep`: a closed-loop run per concurrency, X(N) fitted, report written. */
export async function scaleSweep(url: string, flags: SweepFlags, command: string): Promise<void> {
  const levels = flags.concurrency.split(',').map((c) => positive('--concurrency', c.trim(), true));
  if (levels.length < 3)
    throw invalidScaleFlag('--concurrency', flags.concurrency, 'list at least 3 concurrencies to fit, e.g. 1,2,4,8,16');
  const durationMs = duration(flags.duration);
  const reportFile = flags.report === false ? null : (flags.report ?? (flags.json === true ? null : 'scale-report.html'));
  const reportPath =
    reportFile === null
      ? null
      : checkReportWritable(reportFile, (reason) =>
          invalidScaleFlag('--report', reportFile, `use a file this user can write (${reason}), or --no-report`),
        );
  const runs: LoadRunResult[] = [];
  await withInterrupt(async (signal) => {
    for (const concurrency of levels) {
      if (signal.aborted) break;
      process.stderr.write(`concurrency ${concurrency}: ${durationMs / 1000} s\n`);
      runs.push(
        await runLoad({
          url,
          mode: { kind: 'closed', concurrency },
          durationMs,
          http: httpOptions(flags),
          signal,
          onLine: (l) => process.stderr.write(`  ${l}\n`),
        }),
      );
    }
  });
  const points = runs.map((r) => ({ n: (r.mode as { concurrency: number }).concurrency, throughput: r.throughputPerSec }));
  const fit = fitUsl(points);
  const measured = runs.map((r) => ({
    n: (r.mode as { concurrency: number }).concurrency,
    throughputPerSec: r.throughputPerSec,
    p50Ms: r.latency.snapshot().p50,
    p99Ms: r.latency.snapshot().p99,
    errors: r.sent - r.ok,
    warnings: r.warnings,
  }));
  if (flags.json === true) process.stdout.write(`${JSON.stringify({ url, durationMs, runs: measured, ...fit }, null, 2)}\n`);
  else {
    const table = renderTable(
      ['concurrency', 'X (ok/s)', 'p50 ms', 'p99 ms', 'errors'],
      measured.map((m) => [String(m.n), sig(m.throughputPerSec, 5), sig(m.p50Ms, 3), sig(m.p99Ms, 3), String(m.errors)]),
    );
    const warnings = measured.flatMap((m) => m.warnings.map((w) => `N = ${m.n}: ${w}`));
    process.stdout.write(`${table}\n${warnings.map((w) => `note: ${w}\n`).join('')}\n${renderFitSummary(fit, url)}\n`);
  }
  if (reportPath !== null) {
    const failure = writeReport(reportPath, renderFitReport(fit, `${url}, closed loop, ${durationMs / 1000} s per level`, command));
    process.stderr.write(failure === null ? `report: ${reportPath}\n` : `report not written: ${failure}\n`);
    if (failure !== null) process.exitCode = 1;
  }
}

function renderRun(r: LoadRunResult, checked: readonly ThresholdResult[]): string {
  const s = r.latency.snapshot();
  const how =
    r.mode.kind === 'closed'
      ? `closed loop, concurrency ${r.mode.concurrency}`
      : `open loop, ${sig(r.mode.ratePerSec)} req/s (latency from intended send times)`;
  const lines = [
    `${r.url} — ${how}, ${sig(r.durationMs / 1000, 3)} s`,
    '',
    renderTable(
      ['requests', 'ok', 'errors', 'ok/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms'],
      [
        [
          String(r.sent),
          String(r.ok),
          String(r.sent - r.ok),
          sig(r.throughputPerSec, 5),
          sig(s.p50, 3),
          sig(s.p90, 3),
          sig(s.p99, 3),
          sig(s.p999, 3),
          sig(s.max, 3),
        ],
      ],
    ),
    `failures: ${
      Object.keys(r.failures).length === 0
        ? 'none'
        : Object.entries(r.failures)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')
    }`,
    `generator event-loop delay: p99 ${sig(r.eventLoopDelayMs.p99, 3)} ms, max ${sig(r.eventLoopDelayMs.max, 3)} ms${r.sendLagP99Ms === null ? '' : `; send lag p99 ${sig(r.sendLagP99Ms, 3)} ms`}`,
    ...r.warnings.map((w) => `warning: ${w}`),
  ];
  if (checked.length > 0) {
    lines.push(
      '',
      renderTable(
        ['threshold', 'measured', 'result'],
        checked.map((t) => [t.text, formatActual(t), t.passed ? 'pass' : 'FAIL']),
      ),
    );
  }
  return lines.join('\n');
}

function formatActual(t: ThresholdResult): string {
  if (t.metric === 'errors') return `${sig(t.actual * 100, 3)}%`;
  if (t.metric === 'rps') return `${sig(t.actual, 4)}/s`;
  return `${sig(t.actual, 3)} ms`;
}

function toJson(r: LoadRunResult, checked: readonly ThresholdResult[]): unknown {
  const { latency, ...rest } = r;
  return { ...rest, latencyMs: latency.snapshot(), thresholds: checked };
}

function httpOptions(flags: LoadFlags): HttpTargetOptions {
  const headers: Record<string, string> = {};
  for (const h of flags.header) {
    const i = h.indexOf(':');
    if (i <= 0) throw invalidScaleFlag('--header', h, "use 'name: value'");
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const method = flags.method.toUpperCase();
  if (!['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH'].includes(method))
    throw invalidScaleFlag('--method', flags.method, 'use GET, POST, PUT, DELETE, HEAD or PATCH');
  return {
    method: method as NonNullable<HttpTargetOptions['method']>,
    headers,
    pipelining: positive('--pipelining', flags.pipelining, true),
    ...(flags.connections === undefined ? {} : { connections: positive('--connections', flags.connections, true) }),
    ...(flags.body === undefined ? {} : { body: flags.body }),
  };
}

function positive(option: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (!(n > 0 && Number.isFinite(n)) || (integer && !Number.isInteger(n)))
    throw invalidScaleFlag(option, text, integer ? 'pass a whole number, at least 1' : 'pass a positive number');
  return n;
}

function duration(text: string): number {
  const ms = parseDuration(text, '--duration');
  if (!(ms > 0)) throw invalidScaleFlag('--duration', text, "pass a positive duration such as '10s'");
  return ms;
}

/** Runs `body` with a signal that Ctrl-C (SIGINT) or SIGTERM aborts; the handlers are removed after. */
async function withInterrupt<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
