/**
 * Child process of the model-memory bench (run with `--expose-gc`). Two kinds of run:
 *
 * - `<servers> <clients> <load>` (load `outstanding` or `peak-ewma`, under the `p2c` picker): builds
 *   and starts the model, and at its first progress report — the fleet built, the run under way —
 *   collects garbage and prints one JSON line: the V8 heap, the memory outside it (typed arrays)
 *   and the resident set gained since before the model, each per server.
 * - `backlog <plain|hedged>`: two one-worker servers of 1 ms mean service offered 4,000 calls/s
 *   (twice their capacity) for 1,000 s, plain or with p2c + peak-EWMA + a p95 hedge; when the
 *   arrivals stop, about 2 million calls are in flight. It collects garbage then and prints the
 *   heap gained per call in flight, and exits without draining them.
 */
import { runModel, type ModelSpec } from '../../src/sim/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('model-memory.child: run it with --expose-gc');
const [first, second, third] = process.argv.slice(2);
const outside = (u: NodeJS.MemoryUsage): number => u.external + u.arrayBuffers;

if (first === 'backlog') {
  if (second !== 'plain' && second !== 'hedged') throw new Error('model-memory.child: use backlog plain|hedged');
  const model: ModelSpec = {
    duration: '1000s',
    arrivals: { type: 'poisson', ratePerSec: 4000 },
    ...(second === 'hedged' ? { clients: { picker: 'p2c', load: 'peak-ewma', hedge: { percentile: 95 } } } : {}),
    servers: [{ count: 2, workers: 1, service: { type: 'exponential', mean: '1ms' } }],
  };
  gc();
  const before = process.memoryUsage().heapUsed;
  runModel(model, 1, {
    onProgress: (p) => {
      if (p.simulatedMs < p.durationMs) return;
      gc();
      process.stdout.write(
        `${JSON.stringify({ inFlight: p.inFlight, heapPerCall: (process.memoryUsage().heapUsed - before) / p.inFlight })}\n`,
      );
      process.exit(0);
    },
  });
} else {
  const servers = Number(first);
  const clients = Number(second);
  const load = third;
  if (!(servers > 0 && clients > 0 && (load === 'outstanding' || load === 'peak-ewma')))
    throw new Error('model-memory.child: use <servers> <clients> outstanding|peak-ewma, or backlog plain|hedged');
  gc();
  const before = process.memoryUsage();
  let measured = false;
  runModel(
    {
      duration: '2s',
      arrivals: { type: 'poisson', ratePerSec: 1000 },
      clients: { count: clients, picker: 'p2c', load },
      servers: [{ count: servers, workers: 1, service: { type: 'exponential', mean: '1ms' } }],
    },
    1,
    {
      onProgress: () => {
        if (measured) return;
        measured = true;
        gc();
        const m = process.memoryUsage();
        process.stdout.write(
          `${JSON.stringify({
            heap: (m.heapUsed - before.heapUsed) / servers,
            outside: (outside(m) - outside(before)) / servers,
            rss: (m.rss - before.rss) / servers,
          })}\n`,
        );
      },
    },
  );
}
