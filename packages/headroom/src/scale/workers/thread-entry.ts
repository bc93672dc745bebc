/**
 * The body of one load worker thread ({@link runLoadWorkers}): says it is ready, waits for the
 * parent's `'start'` (sent once every thread is ready, so the shares start together and their
 * staggered schedules interleave), runs its share of the plan with `runLoadPlan`, posts each
 * second's row with that second's histogram, and at the end its result with the histogram encoded.
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
  const post = (m: ThreadMessage): void => port.postMessage(m);
  const run = (): void =>
    void runLoadPlan(workerData as LoadPlan, {
      signal: controller.signal,
      onProgress: (row, latency) => post({ type: 'row', row, latency: latency.encode() }),
    }).then((r) => {
      post({ type: 'done', result: encodeLoadResult(r) });
      port.close();
    });
  let started = false;
  port.on('message', (m: unknown) => {
    if (m === 'stop') controller.abort();
    if ((m === 'start' || m === 'stop') && !started) {
      started = true;
      run();
    }
  });
  post({ type: 'ready' });
}
