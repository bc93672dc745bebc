/**
 * The body of one load worker thread of `headroom scale run --workers N`: runs its share of the
 * load with {@link runLoad}, posts each second's row, and at the end its counts and its latency
 * histogram encoded (HdrHistogram's compressed form), which the main thread merges exactly.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runLoad, type LoadRunOptions } from './load-run.js';
import type { WorkerDone, WorkerMessage } from './worker-pool.js';

const port = parentPort;
if (port !== null) {
  const options = workerData as Omit<LoadRunOptions, 'signal' | 'onLine'>;
  const controller = new AbortController();
  port.on('message', (m: unknown) => {
    if (m === 'stop') controller.abort();
  });
  const post = (m: WorkerMessage): void => port.postMessage(m);
  void runLoad({ ...options, signal: controller.signal, onLine: null, onRow: (row) => post({ type: 'row', row }) }).then((r) => {
    const { latency, timeline: _timeline, ...rest } = r;
    const done: WorkerDone = { type: 'done', result: { ...rest, latency: latency.encode() } };
    post(done);
    port.close();
  });
}
