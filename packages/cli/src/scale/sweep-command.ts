/**
 * `headroom scale sweep <url>`: one run per level, then the model.
 *
 * - `--concurrency 1,2,4,…`: closed loop at each concurrency; X(N) = successes per second; the USL
 *   fitted, its tables and HTML report.
 * - `--rates 100,200,400,…`: open loop at each offered rate (latency from intended send times);
 *   latency and achieved rate against the offered rate, and the knee (headroom/scale `findKnee`:
 *   the first rate whose p99 exceeds `--knee-factor` × the low-load p99, whose successes fall below
 *   95% of the rate offered, or whose errors pass 1%), in a table and an HTML report.
 */
import { renderTable } from 'headroom';
import { findKnee, fitUsl, type LoadPlan, type LoadResult } from 'headroom/scale';
import { checkReportWritable, writeReport } from '../report/report-file.js';
import { invalidScaleFlag } from './errors.js';
import { execute, generators, lostWorkers, withInterrupt } from './execute.js';
import { renderFitReport } from './fit-report.js';
import { renderFitSummary } from './fit-summary.js';
import { sig } from './format.js';
import { renderKneeReport, renderKneeTable } from './knee-report.js';
import { arrivals, duration, httpOptions, positive, type LoadFlags } from './run-command.js';

/** `scale sweep` flags. */
export interface SweepFlags extends LoadFlags {
  readonly concurrency?: string;
  readonly rates?: string;
  readonly kneeFactor: string;
  readonly report?: string | false;
}

/** Runs `headroom scale sweep`. */
export async function scaleSweep(url: string, flags: SweepFlags, command: string): Promise<void> {
  if ((flags.concurrency === undefined) === (flags.rates === undefined))
    throw invalidScaleFlag(
      '--rates',
      flags.rates,
      'give either --concurrency 1,2,4,… (closed loop, USL fit) or --rates 100,200,… (open loop, the knee)',
    );
  const open = flags.rates !== undefined;
  const option = open ? '--rates' : '--concurrency';
  const listed = (open ? flags.rates : flags.concurrency)!;
  const levels = listed.split(',').map((c) => positive(option, c.trim(), !open));
  const needed = open ? 2 : 3;
  if (levels.length < needed)
    throw invalidScaleFlag(
      option,
      listed,
      open ? 'list at least 2 rates, e.g. 100,200,400,800' : 'list at least 3 concurrencies to fit, e.g. 1,2,4,8,16',
    );
  const kneeFactor = Number(flags.kneeFactor);
  if (!(kneeFactor > 1)) throw invalidScaleFlag('--knee-factor', flags.kneeFactor, 'pass a multiple above 1, e.g. 3');
  const durationMs = duration(flags.duration);
  const reportFile = flags.report === false ? null : (flags.report ?? (flags.json === true ? null : 'scale-report.html'));
  const reportPath =
    reportFile === null
      ? null
      : checkReportWritable(reportFile, (reason) =>
          invalidScaleFlag('--report', reportFile, `use a file this user can write (${reason}), or --no-report`),
        );
  const on = generators(flags);
  const http = httpOptions(flags);
  const process_ = arrivals(flags);
  const runs: LoadResult[] = [];
  const warnings: string[] = [];
  await withInterrupt(async (signal) => {
    for (const level of levels) {
      if (signal.aborted) break;
      process.stderr.write(`${open ? `rate ${sig(level)}/s` : `concurrency ${level}`}: ${durationMs / 1000} s\n`);
      const plan: LoadPlan = {
        url,
        http,
        load: open
          ? { kind: 'open', schedule: { arrivals: process_, steps: [{ ratePerSec: level, duration: durationMs }] } }
          : { kind: 'closed', concurrency: level, duration: durationMs },
      };
      const result = await execute(plan, on, signal, '  ');
      runs.push(result);
      warnings.push(...[...result.warnings, ...lostWorkers(result)].map((w) => `${open ? `${sig(level)}/s` : `N = ${level}`}: ${w}`));
    }
  });
  if (lostWorkersIn(runs)) process.exitCode = 1;
  const rendered = open
    ? kneeOutput(url, runs, levels, kneeFactor, durationMs, command, flags)
    : fitOutput(url, runs, durationMs, command, flags);
  process.stdout.write(`${rendered.text}${flags.json === true ? '' : warnings.map((w) => `note: ${w}\n`).join('')}`);
  if (reportPath !== null) {
    const failure = writeReport(reportPath, rendered.html);
    process.stderr.write(failure === null ? `report: ${reportPath}\n` : `report not written: ${failure}\n`);
    if (failure !== null) process.exitCode = 1;
  }
}

function lostWorkersIn(runs: readonly LoadResult[]): boolean {
  return runs.some((r) => lostWorkers(r).length > 0);
}

function fitOutput(
  url: string,
  runs: readonly LoadResult[],
  durationMs: number,
  command: string,
  flags: SweepFlags,
): { text: string; html: string } {
  const measured = runs.map((r) => ({
    n: r.load.kind === 'closed' ? r.load.concurrency : 0,
    throughputPerSec: r.throughputPerSec,
    p50Ms: r.latency.snapshot().p50,
    p99Ms: r.latency.snapshot().p99,
    errors: r.sent - r.ok,
  }));
  const fit = fitUsl(measured.map((m) => ({ n: m.n, throughput: m.throughputPerSec })));
  const html = renderFitReport(fit, `${url}, closed loop, ${durationMs / 1000} s per level`, command);
  if (flags.json === true) return { text: `${JSON.stringify({ url, durationMs, runs: measured, ...fit }, null, 2)}\n`, html };
  const table = renderTable(
    ['concurrency', 'X (ok/s)', 'p50 ms', 'p99 ms', 'errors'],
    measured.map((m) => [String(m.n), sig(m.throughputPerSec, 5), sig(m.p50Ms, 3), sig(m.p99Ms, 3), String(m.errors)]),
  );
  return { text: `${table}\n\n${renderFitSummary(fit, url)}\n`, html };
}

function kneeOutput(
  url: string,
  runs: readonly LoadResult[],
  levels: readonly number[],
  kneeFactor: number,
  durationMs: number,
  command: string,
  flags: SweepFlags,
): { text: string; html: string } {
  const measured = runs.map((r, i) => ({
    offeredPerSec: levels[i]!,
    achievedPerSec: r.throughputPerSec,
    p50Ms: r.latency.snapshot().p50,
    p99Ms: r.latency.snapshot().p99,
    errorRate: r.errorRate,
    sendLagP99Ms: r.sendLagP99Ms ?? 0,
  }));
  const knee = findKnee(measured, { latencyFactor: kneeFactor });
  const title = `${url}, open loop, ${durationMs / 1000} s per rate`;
  const html = renderKneeReport(measured, knee, kneeFactor, title, command);
  if (flags.json === true)
    return { text: `${JSON.stringify({ url, durationMs, latencyFactor: kneeFactor, runs: measured, knee }, null, 2)}\n`, html };
  return { text: `${renderKneeTable(measured, knee, kneeFactor)}\n`, html };
}
