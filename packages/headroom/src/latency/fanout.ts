/**
 * fanOut: call n backends in parallel and return when all have answered, when a quorum of k has
 * succeeded, or at the deadline — whichever the caller chose — with a status per backend and the
 * results gathered so far ("good enough" answers, Dean & Barroso 2013). Backends still running
 * when the call returns are cancelled through their AbortSignals. This is the async driver; the
 * counting is the synchronous {@link FanOutTally} (fanout-core.ts). O(n) per call.
 */
import { systemClock, type Clock } from '../core/clock.js';
import { DeadlineExceededError } from '../core/errors.js';
import { CancelledError } from './cancelled.js';
import type { Deadline } from './deadline.js';
import { FanOutTally, type FanOutWait } from './fanout-core.js';
import type { AttemptContext } from './policy.js';
import { invoke } from './signals.js';

export { FanOutTally, type FanOutProgress, type FanOutWait } from './fanout-core.js';

/** Options of {@link fanOut}. */
export interface FanOutOptions {
  /** Clock for per-backend latencies; default `systemClock`. */
  readonly clock?: Clock;
  /** 'all' (default) or `{ quorum: k }`. */
  readonly wait?: FanOutWait;
  /** Stop waiting at this deadline and return what has arrived (pending backends get status 'timeout'). */
  readonly deadline?: Deadline | undefined;
  /** Caller's cancellation; aborting it rejects the fan-out with its reason. */
  readonly signal?: AbortSignal | undefined;
}

/** What happened to one backend. `cancelled`: no longer needed (quorum reached or impossible). */
export type BackendStatus = 'ok' | 'error' | 'timeout' | 'cancelled';

/** One backend's outcome. */
export interface BackendResult<B, T> {
  readonly backend: B;
  readonly index: number;
  readonly status: BackendStatus;
  /** The value, when `status` is 'ok'. */
  readonly value?: T;
  /** The error, when `status` is 'error'. */
  readonly error?: unknown;
  /** Time from the fan-out's start to this backend's answer, ms (undefined when it never answered). */
  readonly latencyMs?: number;
}

/** The outcome of a fan-out. */
export interface FanOutResult<B, T> {
  /** True when the wait condition was met: all succeeded ('all'), or k succeeded (quorum). */
  readonly complete: boolean;
  /** Successful backends. */
  readonly ok: number;
  /** The successful values, in backend order (partial results). */
  readonly values: T[];
  /** One entry per backend, in backend order. */
  readonly results: Array<BackendResult<B, T>>;
  /** Time the fan-out took, ms. */
  readonly elapsedMs: number;
}

/**
 * Calls every backend and gathers the answers.
 * @param backends - the targets, passed back to `call`
 * @param call - one call per backend; gets the backend and `{ signal, attempt: index, deadline }`
 * @throws HR_LATENCY_INVALID_OPTION when the quorum is not an integer in 1..n
 * @throws the caller's `signal.reason` (rejection) when the caller aborts
 * @example
 * ```ts
 * const shards = ['http://s1', 'http://s2', 'http://s3'];
 * const r = await fanOut(shards, (url, { signal }) => fetch(url + '/search?q=x', { signal }).then((x) => x.json()),
 *   { wait: { quorum: 2 }, deadline: Deadline.after(50) });
 * if (!r.complete) console.warn('partial', r.results.map((x) => x.status));
 * ```
 */
export function fanOut<B, T>(
  backends: readonly B[],
  call: (backend: B, context: AttemptContext) => Promise<T>,
  options: FanOutOptions = {},
): Promise<FanOutResult<B, T>> {
  const n = backends.length;
  const tally = new FanOutTally(n, options.wait ?? 'all');
  const clock = options.clock ?? systemClock;
  const deadline = options.deadline;
  const signal = options.signal;
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  const startMs = clock.now();
  const results: Array<BackendResult<B, T> | undefined> = new Array(n).fill(undefined);
  const controllers = backends.map(() => new AbortController());

  return new Promise<FanOutResult<B, T>>((resolve, reject) => {
    let done = false;
    const finish = (leftover: BackendStatus, reason: unknown): void => {
      done = true;
      signal?.removeEventListener('abort', onCallerAbort);
      deadline?.signal.removeEventListener('abort', onDeadline);
      for (let i = 0; i < n; i++) {
        if (results[i] === undefined) {
          results[i] = { backend: backends[i]!, index: i, status: leftover };
          controllers[i]!.abort(reason);
        }
      }
      const all = results as Array<BackendResult<B, T>>;
      resolve({
        complete: tally.complete(),
        ok: tally.ok,
        values: all.filter((r) => r.status === 'ok').map((r) => r.value as T),
        results: all,
        elapsedMs: clock.now() - startMs,
      });
    };
    const onCallerAbort = (): void => {
      if (done) return;
      done = true;
      deadline?.signal.removeEventListener('abort', onDeadline);
      for (const c of controllers) c.abort(signal!.reason);
      reject(signal!.reason);
    };
    const onDeadline = (): void => {
      if (done) return;
      const reason: unknown = deadline!.signal.reason;
      // The deadline's signal also carries the caller's own cancellation: that one rejects.
      if (!(reason instanceof DeadlineExceededError)) {
        done = true;
        signal?.removeEventListener('abort', onCallerAbort);
        for (const c of controllers) c.abort(reason);
        reject(reason);
        return;
      }
      finish('timeout', reason);
    };
    const settle = (i: number, result: BackendResult<B, T>): void => {
      if (done) return;
      results[i] = result;
      const progress = tally.settle(result.status === 'ok');
      if (progress === 'quorum-reached' || progress === 'quorum-impossible') finish('cancelled', new CancelledError(progress));
      else if (progress === 'all-settled') finish('cancelled', undefined);
    };

    if (n === 0) {
      finish('cancelled', undefined);
      return;
    }
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (deadline !== undefined) {
      if (deadline.signal.aborted) {
        onDeadline();
        return;
      }
      deadline.signal.addEventListener('abort', onDeadline, { once: true });
    }
    for (let i = 0; i < n && !done; i++) {
      const backend = backends[i]!;
      const context: AttemptContext = { signal: controllers[i]!.signal, attempt: i, deadline };
      invoke((ctx: AttemptContext) => call(backend, ctx), context).then(
        (value) => settle(i, { backend, index: i, status: 'ok', value, latencyMs: clock.now() - startMs }),
        (error: unknown) => settle(i, { backend, index: i, status: 'error', error, latencyMs: clock.now() - startMs }),
      );
    }
  });
}
