/**
 * Runs a load plan the way the flags ask: on this event loop, on `--workers` threads, or on
 * `--expect-workers` machines joined through `--redis` — with the live progress line on stderr
 * either way. Shared by `scale run` and both kinds of `scale sweep`.
 */
import { parseDuration } from 'headroom';
import { runLoadOverRedis, runLoadPlan, runLoadWorkers, type LoadPlan, type LoadResult, type SharedLoadResult } from 'headroom/scale';
import { invalidScaleFlag } from './errors.js';
import { progressLine } from './load-run.js';
import { connectRedis, redactedUrl } from './redis-connect.js';

/** Where the load is generated. */
export type Generators =
  | { readonly kind: 'here' }
  | { readonly kind: 'threads'; readonly workers: number }
  | {
      readonly kind: 'redis';
      readonly url: string;
      readonly expectWorkers: number;
      readonly prefix: string;
      readonly joinTimeoutMs: number;
      readonly heartbeatTimeoutMs: number;
    };

/** The flags that choose the generators. */
export interface GeneratorFlags {
  readonly workers: string;
  readonly redis?: string;
  readonly expectWorkers?: string;
  readonly prefix: string;
  readonly joinTimeout: string;
  readonly heartbeatTimeout: string;
}

/** Reads the generator flags. */
export function generators(flags: GeneratorFlags): Generators {
  const workers = wholeNumber('--workers', flags.workers);
  if (flags.redis === undefined) {
    if (flags.expectWorkers !== undefined)
      throw invalidScaleFlag('--expect-workers', flags.expectWorkers, 'give --redis <url> too: workers join through Redis');
    return workers === 1 ? { kind: 'here' } : { kind: 'threads', workers };
  }
  if (workers !== 1)
    throw invalidScaleFlag(
      '--workers',
      flags.workers,
      'with --redis, the workers are `headroom scale worker` processes: use --expect-workers',
    );
  return {
    kind: 'redis',
    url: flags.redis,
    expectWorkers: wholeNumber('--expect-workers', flags.expectWorkers ?? '1'),
    prefix: flags.prefix,
    joinTimeoutMs: parseDuration(flags.joinTimeout, '--join-timeout'),
    heartbeatTimeoutMs: parseDuration(flags.heartbeatTimeout, '--heartbeat-timeout'),
  };
}

/** Runs the plan on the generators; `linePrefix` indents the progress lines (sweeps). */
export async function execute(
  plan: LoadPlan,
  on: Generators,
  signal: AbortSignal,
  linePrefix = '',
): Promise<LoadResult | SharedLoadResult> {
  const open = plan.load.kind === 'open';
  const line = (suffix: string) => (row: Parameters<typeof progressLine>[0]) =>
    void process.stderr.write(`${linePrefix}${progressLine(row, open)}${suffix}\n`);
  if (on.kind === 'here') return runLoadPlan(plan, { signal, onProgress: line('') });
  if (on.kind === 'threads')
    return runLoadWorkers(plan, { workers: on.workers, signal, onProgress: line(` (${on.workers} threads, percentiles merged)`) });
  const redis = await connectRedis(on.url);
  try {
    process.stderr.write(
      `${linePrefix}waiting for ${on.expectWorkers} worker(s) on ${redactedUrl(new URL(on.url))} (prefix ${on.prefix})…\n`,
    );
    return await runLoadOverRedis(plan, {
      redis: redis.client,
      expectWorkers: on.expectWorkers,
      prefix: on.prefix,
      joinTimeout: on.joinTimeoutMs,
      heartbeatTimeout: on.heartbeatTimeoutMs,
      signal,
      onJoined: (names) => void process.stderr.write(`${linePrefix}joined: ${names.join(', ')}\n`),
      onProgress: line(` (${on.expectWorkers} workers, percentiles merged)`),
    });
  } finally {
    await redis.close().catch(() => undefined);
  }
}

/** True when a worker of a shared run was lost. */
export function lostWorkers(result: LoadResult | SharedLoadResult): string[] {
  return 'workers' in result ? result.workers.flatMap((w) => (w.lost === null ? [] : [w.lost])) : [];
}

/** A whole number ≥ 1 from a flag. */
export function wholeNumber(option: string, text: string): number {
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1)) throw invalidScaleFlag(option, text, 'pass a whole number, at least 1');
  return n;
}

/** Runs `body` with a signal that Ctrl-C (SIGINT) or SIGTERM aborts; the handlers are removed after. */
export async function withInterrupt<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
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
