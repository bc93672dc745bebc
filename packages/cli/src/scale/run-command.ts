/**
 * `headroom scale run <url>`: the action behind the verb (flags parsed, the run started here, on
 * threads or on Redis workers, the table, files, exit codes). Progress goes to stderr, results to
 * stdout.
 */
import { writeFileSync } from 'node:fs';
import { parseDuration, renderTable } from 'headroom';
import {
  evaluateThresholds,
  parseThreshold,
  type HttpTargetOptions,
  type LoadPlan,
  type LoadResult,
  type ThresholdResult,
} from 'headroom/scale';
import { invalidScaleFlag } from './errors.js';
import { execute, generators, lostWorkers, withInterrupt, type GeneratorFlags } from './execute.js';
import { sig } from './format.js';
import { describeLoad, timelineCsv } from './load-run.js';
import { rateSchedule } from './rate-flags.js';

/** Exit code when a threshold fails (k6's). */
export const EXIT_THRESHOLD = 99;

/** Flags shared by run and sweep. */
export interface LoadFlags extends GeneratorFlags {
  readonly duration: string;
  readonly connections?: string;
  readonly pipelining: string;
  readonly method: string;
  readonly header: string[];
  readonly body?: string;
  readonly json?: boolean;
  readonly arrivals: string;
}

/** `scale run` flags. */
export interface RunFlags extends LoadFlags {
  readonly concurrency?: string;
  readonly rate?: string;
  readonly ramp?: string;
  readonly threshold: string[];
  readonly hgrm?: string;
  readonly csv?: string;
}

/** Runs `headroom scale run`. */
export async function scaleRun(url: string, flags: RunFlags): Promise<void> {
  if (flags.concurrency !== undefined && flags.rate !== undefined)
    throw invalidScaleFlag('--rate', flags.rate, 'give either --concurrency (closed loop) or --rate (open loop), not both');
  const durationMs = duration(flags.duration);
  if (flags.ramp !== undefined && flags.rate === undefined)
    throw invalidScaleFlag('--ramp', flags.ramp, 'a ramp needs an open loop: give --rate too');
  const plan: LoadPlan = {
    url,
    http: httpOptions(flags),
    load:
      flags.rate !== undefined
        ? {
            kind: 'open',
            schedule: rateSchedule(
              flags.rate,
              durationMs,
              flags.ramp === undefined ? null : duration(flags.ramp, '--ramp'),
              arrivals(flags),
            ),
          }
        : { kind: 'closed', concurrency: positive('--concurrency', flags.concurrency ?? '10', true), duration: durationMs },
  };
  const thresholds = flags.threshold.map(parseThreshold);
  const on = generators(flags);
  const result = await withInterrupt((signal) => execute(plan, on, signal));
  const lost = lostWorkers(result);
  for (const w of lost) process.stderr.write(`warning: ${w}: its requests are missing from these figures\n`);
  const checked = evaluateThresholds(thresholds, {
    latency: result.latency,
    errorRate: result.errorRate,
    ratePerSec: result.throughputPerSec,
  });
  if (flags.hgrm !== undefined) writeFileSync(flags.hgrm, result.latency.percentileDistribution());
  if (flags.csv !== undefined) writeFileSync(flags.csv, timelineCsv(result.timeline));
  process.stdout.write(flags.json === true ? `${JSON.stringify(toJson(result, checked), null, 2)}\n` : `${renderRun(result, checked)}\n`);
  if (checked.some((t) => !t.passed)) process.exitCode = EXIT_THRESHOLD;
  else if (lost.length > 0) process.exitCode = 1;
}

function renderRun(r: LoadResult, checked: readonly ThresholdResult[]): string {
  const s = r.latency.snapshot();
  const lines = [
    `${r.url} — ${describeLoad(r.load)}; sent for ${sig(r.durationMs / 1000, 3)} s`,
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

function toJson(r: LoadResult, checked: readonly ThresholdResult[]): unknown {
  const { latency, ...rest } = r;
  return { ...rest, latencyMs: latency.snapshot(), thresholds: checked };
}

/** The HTTP options the flags give. */
export function httpOptions(flags: LoadFlags): HttpTargetOptions {
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

/** A positive number (whole when `integer`) from a flag. */
export function positive(option: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (!(n > 0 && Number.isFinite(n)) || (integer && !Number.isInteger(n)))
    throw invalidScaleFlag(option, text, integer ? 'pass a whole number, at least 1' : 'pass a positive number');
  return n;
}

/** A positive duration from a flag, ms. */
export function duration(text: string, option = '--duration'): number {
  const ms = parseDuration(text, option);
  if (!(ms > 0)) throw invalidScaleFlag(option, text, "pass a positive duration such as '10s'");
  return ms;
}

/** `--arrivals`: constant (evenly spaced, as wrk2) or poisson. */
export function arrivals(flags: LoadFlags): 'constant' | 'poisson' {
  if (flags.arrivals !== 'constant' && flags.arrivals !== 'poisson')
    throw invalidScaleFlag('--arrivals', flags.arrivals, "use 'constant' or 'poisson'");
  return flags.arrivals;
}
