/**
 * A load plan shared by N worker threads, so the generator is not bound by one event loop. Each
 * thread loads, says it is ready, and starts its share ({@link splitPlan}) when every thread is
 * ready — together, within a message's delivery, so open-loop shares' staggered send times
 * interleave — and sends back its latency histogram encoded; the merge is exact. A thread that dies (an uncaught error, `terminate`, running out of memory) is reported
 * in the result, its share missing from the figures, never silently dropped.
 */
import { Worker } from 'node:worker_threads';
import { splitPlan, validatePlan, type LoadPlan } from '../runner/load-plan.js';
import { LatencyHistogram } from '../../core/histogram.js';
import { decodeLoadResult, type EncodedLoadResult, type TimelineRow } from '../runner/load-result.js';
import { mergeLoadResults, TimelineMerger, type SharedLoadResult, type WorkerOutcome } from '../runner/merge.js';

/** What a load thread posts to its parent. */
export type ThreadMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'row'; readonly row: TimelineRow; readonly latency: string }
  | { readonly type: 'done'; readonly result: EncodedLoadResult };

/** Options of {@link runLoadWorkers}. */
export interface LoadWorkersOptions {
  /** Worker threads, ≥ 1 (a closed loop with fewer users than threads uses one per user). */
  readonly workers: number;
  /** Stops sending in every thread; requests in flight are awaited. */
  readonly signal?: AbortSignal;
  /** Receives each second's merged row (rates summed, p50/p99 of the threads' merged histograms), once every running thread has sent it. */
  readonly onProgress?: (row: TimelineRow) => void;
  /** Called once the threads have started, with a way to terminate one (to see a lost worker reported). */
  readonly onStarted?: (pool: { terminate(index: number): void }) => void;
}

/**
 * Runs the plan on worker threads and merges what they measured.
 * @throws HR_SCALE_INVALID_OPTION for a bad plan or worker count
 * @example
 * ```ts
 * const r = await runLoadWorkers({ url, load: { kind: 'closed', concurrency: 64, duration: '10s' } }, { workers: 2 });
 * r.latency.percentile(99); r.workers.filter((w) => w.lost !== null);
 * ```
 */
export async function runLoadWorkers(plan: LoadPlan, options: LoadWorkersOptions): Promise<SharedLoadResult> {
  validatePlan(plan);
  const shares = splitPlan(plan, options.workers);
  const merger = new TimelineMerger(shares.length);
  let waiting = shares.length; // threads neither ready nor gone
  const readyOrGone = (): void => {
    if (--waiting === 0) for (const t of threads) t.worker.postMessage('start');
  };
  const threads = shares.map((share, index) => {
    const worker = startThread(share);
    const stop = (): void => void worker.postMessage('stop');
    options.signal?.addEventListener('abort', stop, { once: true });
    const name = `thread ${index}`;
    const outcome = new Promise<WorkerOutcome>((resolve) => {
      let done: EncodedLoadResult | null = null;
      let failure: string | null = null;
      let ready = false;
      worker.on('message', (m: ThreadMessage) => {
        if (m.type === 'ready') {
          ready = true;
          readyOrGone();
        } else if (m.type === 'done') done = m.result;
        else {
          const merged = merger.add(m.row, LatencyHistogram.decode(m.latency));
          if (merged !== null) options.onProgress?.(merged);
        }
      });
      worker.on('error', (e) => (failure = `${name} failed: ${e.message}`));
      worker.on('exit', (code) => {
        options.signal?.removeEventListener('abort', stop);
        if (!ready) readyOrGone();
        if (done !== null) return resolve({ index, name, load: share.load, result: decodeLoadResult(done), lost: null });
        merger.lose();
        resolve({ index, name, load: share.load, result: null, lost: failure ?? `${name} exited (code ${code}) before reporting` });
      });
    });
    return { worker, outcome };
  });
  options.onStarted?.({ terminate: (i) => void threads[i]?.worker.terminate() });
  const outcomes = await Promise.all(threads.map((t) => t.outcome));
  return mergeLoadResults(plan, outcomes, merger.rows());
}

/** Starts a thread on thread-entry, from the compiled file or, run from sources, through tsx. */
function startThread(share: LoadPlan): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './thread-entry.ts' : './thread-entry.js', import.meta.url);
  // From the TypeScript sources (the tests), a thread must register tsx itself before it imports
  // its entry: the main thread's --import hooks do not carry over to workers.
  return fromSource
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`,
        { eval: true, workerData: share },
      )
    : new Worker(entry, { workerData: share });
}
