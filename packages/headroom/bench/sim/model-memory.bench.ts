/**
 * What a simulated server and a call in flight cost in memory, for the floors `src/sim/model-size.ts`
 * checks a model against. Per server: the V8 heap (whose limit, 4 GB by default, a large fleet meets first), the typed arrays
 * outside it, and the resident set, per server, at one and at eight clients (each client keeps a
 * load metric and a count per server) with P2C over `outstanding` and over `peak-ewma`. One child
 * process per model, measured after a garbage collection once the fleet is built and running.
 *
 * Per call in flight: the heap an overload's backlog holds (about 2 million calls waiting at two
 * servers offered twice their capacity), plain and with p2c + peak-EWMA + hedging.
 *
 * Deterministic in what it allocates; the resident set moves a little with the allocator.
 * HEADROOM_BENCH_SIM_MEMORY_SERVERS sets the one-client fleet's size (default 1,000,000; the
 * eight-client fleets are a quarter of it).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HEAP_CALL_BYTES, HEAP_SERVER_BYTES, SERVER_BYTES } from '../../src/sim/model-size.js';
import { report } from '../harness.js';

const SERVERS = Number(process.env['HEADROOM_BENCH_SIM_MEMORY_SERVERS'] ?? 1_000_000);
const CHILD = fileURLToPath(new URL('./model-memory.child.ts', import.meta.url));

interface PerServer {
  readonly heap: number;
  readonly outside: number;
  readonly rss: number;
}

/** Runs the child with `args` and returns its last JSON line. */
function child<T>(...args: string[]): T {
  const out = execFileSync(process.execPath, ['--expose-gc', '--conditions=headroom-source', '--import', 'tsx', CHILD, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

function measure(servers: number, clients: number, load: string): PerServer {
  return child<PerServer>(String(servers), String(clients), load);
}

report(`sim: memory per simulated server (${SERVERS.toLocaleString('en-US')} servers at 1 client, a quarter at 8)`, () => {
  const rows: (string | number)[][] = [];
  for (const load of ['outstanding', 'peak-ewma']) {
    const one = measure(SERVERS, 1, load);
    process.stderr.write(`  ${load}, 1 client: ${one.heap.toFixed(0)} B heap a server\n`);
    const eight = measure(SERVERS / 4, 8, load);
    process.stderr.write(`  ${load}, 8 clients: ${eight.heap.toFixed(0)} B heap a server\n`);
    for (const [clients, m] of [
      [1, one],
      [8, eight],
    ] as const)
      rows.push([
        load,
        clients,
        m.heap.toFixed(0),
        m.outside.toFixed(0),
        m.rss.toFixed(0),
        clients === 1 ? '' : ((m.heap - one.heap) / 7).toFixed(0),
      ]);
  }
  return {
    header: [
      'load metric',
      'clients',
      'heap B / server',
      'outside the heap B / server',
      'RSS B / server',
      'heap B / further client / server',
    ],
    rows,
    notes: [
      `model-size.ts checks at least ${HEAP_SERVER_BYTES} B of heap and ${SERVER_BYTES} B of memory a server (floors: below every row above).`,
    ],
  };
});

report('sim: heap per call in flight (an overload’s backlog: 2 servers offered twice their capacity for 1,000 s)', () => {
  const rows = (['plain', 'hedged'] as const).map((kind) => {
    const m = child<{ inFlight: number; heapPerCall: number }>('backlog', kind);
    process.stderr.write(`  ${kind}: ${m.heapPerCall.toFixed(0)} B heap a call in flight\n`);
    return [kind === 'plain' ? 'plain calls' : 'p2c + peak-EWMA + p95 hedge', m.inFlight.toLocaleString('en-US'), m.heapPerCall.toFixed(0)];
  });
  return {
    header: ['calls', 'in flight when the arrivals stop', 'heap B / call in flight'],
    rows,
    notes: [
      `model-size.ts refuses an overload whose backlog needs more heap than the thread has, at least ${HEAP_CALL_BYTES} B a call (a floor: below both rows).`,
    ],
  };
});
