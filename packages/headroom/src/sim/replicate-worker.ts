/** Worker-thread side of `replicate`: runs one model per message and posts the result back (and its progress, when asked). */
import { parentPort } from 'node:worker_threads';
import { runModel } from './fleet.js';
import type { RunProgress } from './features.js';
import type { ModelSpec } from './model-spec.js';

parentPort?.on('message', (m: { spec: ModelSpec; seed: number; index: number; progress?: boolean }) => {
  try {
    const hooks =
      m.progress === true ? { onProgress: (progress: RunProgress) => parentPort!.postMessage({ index: m.index, progress }) } : {};
    parentPort!.postMessage({ index: m.index, result: runModel(m.spec, m.seed, hooks) });
  } catch (e) {
    const error = e as Error & { code?: string };
    parentPort!.postMessage({
      index: m.index,
      error: { message: error.message, ...(error.code === undefined ? {} : { code: error.code }) },
    });
  }
});
parentPort?.postMessage({ ready: true });
