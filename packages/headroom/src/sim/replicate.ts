/**
 * Replications: one model over several seeds, run in parallel worker threads (or in this thread),
 * summarised as means with 95% confidence intervals. Each run is deterministic, so a seed gives
 * the same result and trace hash whichever thread runs it.
 */
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { runModel } from './fleet.js';
import { invalidOption, MAX_SEED, outOfMemory, seedProblem } from './errors.js';
import type { RunProgress } from './features.js';
import type { ModelSpec } from './model-spec.js';
import type { RunResult } from './result.js';
import { meanCi, type MeanCi } from './stats.js';

/** Options of {@link replicate}. */
export interface ReplicateOptions {
  /** Seeds to run, one replication each. */
  readonly seeds: readonly number[];
  /** Worker threads; 0 runs every replication in this thread. Default 0. */
  readonly threads?: number;
  /**
   * V8 young-generation limit of each worker thread, MB (`resourceLimits.maxYoungGenerationSizeMb`);
   * 0 leaves V8's default (16 MB semi-spaces). Default {@link DEFAULT_YOUNG_GENERATION_MB}, or an
   * eighth of `heapLimitMb` when that is less (a young generation near the heap limit can promote
   * past it in one scavenge, and V8 then aborts the process instead of stopping the worker). Only
   * the speed changes: a seed's result and trace hash are the same whatever the limit. No effect
   * with `threads: 0` (this thread's heap is the process's: `node --max-semi-space-size`).
   */
  readonly youngGenerationMb?: number;
  /**
   * JavaScript heap limit of each worker thread, MB (`resourceLimits.maxOldGenerationSizeMb`).
   * Default: this thread's (`node --max-old-space-size`, 4 GB on this machine by default). A
   * worker that reaches it is stopped and the run fails with `HR_SIM_OUT_OF_MEMORY`, instead of
   * the process. No effect with `threads: 0`.
   */
  readonly heapLimitMb?: number;
  /** Called after each replication finishes. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The runs of one model and their summary. */
export interface Replications {
  /** Seeds, in the order given. */
  readonly seeds: readonly number[];
  /** One result per seed, in the same order. */
  readonly runs: readonly RunResult[];
  /** Means with 95% confidence intervals over the runs. */
  readonly summary: ReplicationSummary;
}

/** Means with 95% confidence intervals (Student's t) of the headline figures. */
export interface ReplicationSummary {
  readonly meanSojournMs: MeanCi;
  readonly p50Ms: MeanCi;
  readonly p99Ms: MeanCi;
  readonly p999Ms: MeanCi;
  readonly throughputPerSec: MeanCi;
  readonly extraLoad: MeanCi;
  /** Extra attempts per original request (`RunResult.extraPerOriginal`). */
  readonly extraPerOriginal: MeanCi;
  readonly aboveSlo: MeanCi;
  readonly failedFraction: MeanCi;
}

/** Summarises runs of one model. */
export function summarize(runs: readonly RunResult[]): ReplicationSummary {
  const of = (f: (r: RunResult) => number): MeanCi => meanCi(runs.map(f));
  return {
    meanSojournMs: of((r) => r.meanSojournMs),
    p50Ms: of((r) => r.latency.p50),
    p99Ms: of((r) => r.latency.p99),
    p999Ms: of((r) => r.latency.p999),
    throughputPerSec: of((r) => r.throughputPerSec),
    extraLoad: of((r) => r.extraLoad),
    extraPerOriginal: of((r) => r.extraPerOriginal),
    aboveSlo: of((r) => r.aboveSlo),
    failedFraction: of((r) => (r.calls > 0 ? r.failed / r.calls : 0)),
  };
}

/**
 * Runs `spec` once per seed and summarises the runs.
 * @throws HR_SIM_INVALID_OPTION when `seeds` is empty or `threads` is not an integer ≥ 0; a model
 * error from the first replication (in whichever thread) rejects the promise
 * @example const { summary } = await replicate(model, { seeds: [1, 2, 3, 4], threads: 2 });
 */
export async function replicate(spec: ModelSpec, options: ReplicateOptions): Promise<Replications> {
  const onProgress = options.onProgress;
  const [out] = await replicateModels([spec], {
    ...options,
    onProgress: onProgress === undefined ? undefined : (_model, done, total) => onProgress(done, total),
  });
  return out!;
}

/** Options of {@link replicateModels}: those of {@link replicate}, with progress per model. */
export interface ReplicateModelsOptions extends Omit<ReplicateOptions, 'onProgress'> {
  /** Called after each replication finishes, with the model's index and its count so far. */
  readonly onProgress?: ((model: number, done: number, total: number) => void) | undefined;
  /**
   * Called during each replication, as `runModel`'s `onProgress` hook (in a worker thread, its
   * reports come back as messages), with the model's index and the run's seed. Results do not change.
   */
  readonly onRunProgress?: ((model: number, seed: number, progress: RunProgress) => void) | undefined;
  /** The models' names, in order, for error messages (a scenario's variants); default `model <index>`. */
  readonly modelNames?: readonly string[] | undefined;
}

/**
 * Runs several models on the same seeds, one replication per model and seed, in one set of worker
 * threads (started once, not per model), and summarises each model's runs — what `replicate` does
 * model by model, with the same results.
 * @throws HR_SIM_INVALID_OPTION as {@link replicate}
 * @throws HR_SIM_OUT_OF_MEMORY when a run's worker thread reached its heap limit (the run's seed and model named)
 */
export async function replicateModels(specs: readonly ModelSpec[], options: ReplicateModelsOptions): Promise<Replications[]> {
  const seeds = options.seeds;
  if (!Array.isArray(seeds) || seeds.length === 0 || seeds.some((s) => seedProblem(s) !== undefined))
    throw invalidOption('replicate.seeds', seeds, `use a non-empty list of integer seeds from 0 to ${MAX_SEED} (2^32 − 1)`);
  const threads = options.threads ?? 0;
  if (!(Number.isInteger(threads) && threads >= 0)) throw invalidOption('replicate.threads', threads, 'use an integer ≥ 0, e.g. 2');
  const asked = options.youngGenerationMb;
  if (asked !== undefined && !(Number.isInteger(asked) && asked >= 0))
    throw invalidOption(
      'replicate.youngGenerationMb',
      asked,
      `use an integer ≥ 0 (MB; 0 = V8's default), e.g. ${DEFAULT_YOUNG_GENERATION_MB}`,
    );
  const heapMb = options.heapLimitMb ?? Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
  if (!(Number.isInteger(heapMb) && heapMb >= 16))
    throw invalidOption('replicate.heapLimitMb', heapMb, 'use an integer ≥ 16 (MB), e.g. 4096');
  // the default stays a small part of the heap: one scavenge promotes at most a young generation's
  // survivors into it at once, and past the limit by more than V8's last leeway the whole process aborts
  const youngMb = asked ?? Math.min(DEFAULT_YOUNG_GENERATION_MB, Math.floor(heapMb / 8));
  const runs = specs.map(() => new Array<RunResult>(seeds.length));
  const done = specs.map(() => 0);
  const tasks = specs.flatMap((spec, model) =>
    seeds.map((seed, i) => ({ spec, seed, model, i, name: options.modelNames?.[model] ?? `model ${model}` })),
  );
  const finished = (task: number, r: RunResult): void => {
    const { model, i } = tasks[task]!;
    runs[model]![i] = r;
    options.onProgress?.(model, ++done[model]!, seeds.length);
  };
  const onRun = options.onRunProgress;
  const progress =
    onRun === undefined ? undefined : (task: number, p: RunProgress): void => onRun(tasks[task]!.model, tasks[task]!.seed, p);
  if (threads === 0) {
    tasks.forEach((t, task) =>
      finished(task, runModel(t.spec, t.seed, progress === undefined ? {} : { onProgress: (p) => progress(task, p) })),
    );
  } else {
    await inWorkers(tasks, Math.min(threads, tasks.length), { youngMb, heapMb }, finished, progress);
  }
  return runs.map((r) => ({ seeds: [...seeds], runs: r, summary: summarize(r) }));
}

/**
 * Default young generation of a replication's worker thread, MB: 192, the young generation of
 * `node --max-semi-space-size=64` (V8 sizes it at three semi-spaces). The calls a large model keeps
 * in flight then die young instead of being copied by every scavenge (docs/sim.md, "Engine speed").
 */
export const DEFAULT_YOUNG_GENERATION_MB = 192;

const here = import.meta.url;
const fromSource = here.endsWith('.ts');
const workerUrl = new URL(`./replicate-worker${fromSource ? '.ts' : '.js'}`, here);

/**
 * A worker running the worker module. Run from the TypeScript sources (this repository's tests
 * and benches), a worker does not inherit the `--import tsx` hooks on Node 20, so it registers
 * tsx itself before importing the module.
 */
function startWorker(limits: WorkerLimits): Worker {
  const options = {
    resourceLimits: {
      maxOldGenerationSizeMb: limits.heapMb,
      ...(limits.youngMb > 0 ? { maxYoungGenerationSizeMb: limits.youngMb } : {}),
    },
  };
  if (!fromSource) return new Worker(workerUrl, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}

/** A worker thread's heap: its young generation (0: V8's default) and its whole limit, MB. */
interface WorkerLimits {
  readonly youngMb: number;
  readonly heapMb: number;
}

function inWorkers(
  tasks: readonly { readonly spec: ModelSpec; readonly seed: number; readonly name: string }[],
  threads: number,
  limits: WorkerLimits,
  finished: (task: number, r: RunResult) => void,
  progress: ((task: number, p: RunProgress) => void) | undefined,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let live = threads;
    let failed = false;
    const workers: Worker[] = [];
    // the task each worker runs, and each task's last progress report (for an out-of-memory error)
    const running = new Map<Worker, number>();
    const reported = new Map<number, RunProgress>();
    const feed = (w: Worker): void => {
      if (failed) return;
      if (next >= tasks.length) {
        void w.terminate();
        if (--live === 0) resolve();
        return;
      }
      const index = next++;
      running.set(w, index);
      w.postMessage({ spec: tasks[index]!.spec, seed: tasks[index]!.seed, index, progress: progress !== undefined });
    };
    for (let t = 0; t < threads; t++) {
      const w = startWorker(limits);
      workers.push(w);
      type Message = {
        ready?: true;
        index: number;
        result?: RunResult;
        progress?: RunProgress;
        error?: { message: string; code?: string };
      };
      w.on('message', (m: Message) => {
        if (m.ready === true) {
          feed(w);
          return;
        }
        if (m.progress !== undefined) {
          reported.set(m.index, m.progress);
          if (!failed) progress?.(m.index, m.progress);
          return;
        }
        if (m.error !== undefined) {
          failed = true;
          for (const x of workers) void x.terminate();
          reject(Object.assign(new Error(m.error.message), m.error.code === undefined ? {} : { code: m.error.code }));
          return;
        }
        finished(m.index, m.result!);
        feed(w);
      });
      w.on('error', (e) => {
        failed = true;
        for (const x of workers) void x.terminate();
        const task = running.get(w);
        if (task === undefined || (e as { code?: unknown }).code !== 'ERR_WORKER_OUT_OF_MEMORY') return reject(e);
        reject(outOfMemory(tasks[task]!.name, tasks[task]!.seed, limits.heapMb, reported.get(task), e));
      });
    }
  });
}
