/**
 * The body of one load worker thread ({@link runLoadWorkers}): runs its share of the plan with
 * `runLoadPlan`, posts each second's row, and at the end its result with the histogram encoded.
 * A `'stop'` message from the parent ends its sending early.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadPlan } from '../runner/load-plan.js';
import { encodeLoadResult } from '../runner/load-result.js';
import { runLoadPlan } from '../runner/run-plan.js';
import type { ThreadMessage } from './threads.js';

const port = parentPort;
if (port !== null) {
  const controller = new AbortController();
  port.on('message', (m: unknown) => {
    if (m === 'stop') controller.abort();
  });
  const post = (m: ThreadMessage): void => port.postMessage(m);
  void runLoadPlan(workerData as LoadPlan, { signal: controller.signal, onProgress: (row) => post({ type: 'row', row }) }).then((r) => {
    post({ type: 'done', result: encodeLoadResult(r) });
    port.close();
  });
}
