/**
 * Child process of the fleet bench: runs one case once and prints one JSON line — wall and CPU
 * time, events, calls, latency, hedges, the process's peak RSS and the V8 heap's size at the end.
 * One process per run, so each case's memory is its own and no run inherits another's heap.
 *
 * Arguments: `<case> <calls> <seed> [src]` — case `model` (the real objects, `runModel` from the
 * library sources under `src`, default this checkout's), `bare` (the typed-array loop; `bare-engine`,
 * the same on the simulator's engine), `policies`
 * (the typed-array loop with the real policy objects deciding, `policy-fleet.ts`) or
 * `engine-policies` (the same with its events on the simulator's engine). `--servers=<n>`
 * and `--workers=<n>`, anywhere among them, shape the fleet (default 10,000 × 4; the rate follows,
 * so the calls do not change).
 */
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import type * as Sim from '../../src/sim/index.js';
import { bareFleet } from './bare-fleet.js';
import { fleetModel } from './fleet-model.js';
import { policyFleet } from './policy-fleet.js';

const argv = process.argv.slice(2);
const option = (name: string): number | undefined => {
  const arg = argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? undefined : Number(arg.slice(name.length + 3));
};
const [kind, callsArg, seedArg, src] = argv.filter((a) => !a.startsWith('--'));
const calls = Number(callsArg);
const seed = Number(seedArg);
const m = fleetModel(calls, option('servers'), option('workers'));
const sim = (
  src === undefined ? await import('../../src/sim/index.js') : await import(pathToFileURL(`${src}/sim/index.ts`).href)
) as typeof Sim;

const cpu0 = process.cpuUsage();
const t0 = performance.now();
let out: Record<string, number | string>;
if (kind === 'model') {
  const r = sim.runModel(m.spec, seed);
  out = {
    calls: r.calls,
    events: r.events,
    meanMs: r.meanSojournMs,
    p99Ms: r.latency.p99,
    extraLoad: r.extraLoad,
    utilization: r.utilization,
    traceHash: r.traceHash,
  };
} else if (kind === 'bare' || kind === 'bare-engine') {
  out = { ...bareFleet({ ...m.bare, seed }, kind === 'bare' ? 'heap' : 'engine') };
} else if (kind === 'policies' || kind === 'engine-policies') {
  out = { ...policyFleet({ ...m.bare, seed }, kind === 'policies' ? 'heap' : 'engine') };
} else {
  throw new Error(`fleet.child: unknown case ${kind}; use model, bare, bare-engine, policies or engine-policies`);
}
const wallS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({
    ...out,
    wallS,
    cpuS: (cpu.user + cpu.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapMb: getHeapStatistics().total_heap_size / 2 ** 20,
  })}\n`,
);
