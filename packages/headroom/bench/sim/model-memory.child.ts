/**
 * Child process of the model-memory bench: builds and starts one model (run with `--expose-gc`),
 * and at its first progress report — the fleet built, the run under way — collects garbage and
 * prints one JSON line: the V8 heap, the memory outside it (typed arrays) and the resident set
 * gained since before the model, each per server.
 *
 * Arguments: `<servers> <clients> <load>` — load `outstanding` or `peak-ewma`, under the `p2c` picker.
 */
import { runModel } from '../../src/sim/index.js';

const [serversArg, clientsArg, load] = process.argv.slice(2);
const servers = Number(serversArg);
const clients = Number(clientsArg);
if (!(servers > 0 && clients > 0 && (load === 'outstanding' || load === 'peak-ewma')))
  throw new Error('model-memory.child: use <servers> <clients> outstanding|peak-ewma');
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('model-memory.child: run it with --expose-gc');
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
      const outside = (u: NodeJS.MemoryUsage): number => u.external + u.arrayBuffers;
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
