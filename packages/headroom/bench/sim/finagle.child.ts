/**
 * Child process of the Finagle bench's cold case: loads the simulator, then runs one variant of a
 * Finagle scenario once — the first `runModel` of a fresh process, so nothing is JIT-compiled yet —
 * and prints one JSON line: the time from process start until the modules were loaded, and the
 * run's wall time, process CPU time (every thread: the JIT compiles on background threads) and,
 * on Linux, the main thread's own CPU time (`/proc/thread-self/schedstat`; null elsewhere).
 *
 * Arguments: `<scenario> <variant index> <seed>`, scenario `finagle-slowmiddle` or
 * `finagle-coldstart`, or `floor` (the variant index ignored): the same number of calls as one
 * typed-array loop (`finagle-floor.ts`), what a cold run costs with nothing but the arithmetic.
 */
import { readFileSync } from 'node:fs';
import { runModel, variantModels } from '../../src/sim/index.js';
import { finagleColdStart, finagleSlowMiddle } from '../../src/sim/scenarios/finagle.js';
import { finagleFloor } from './finagle-floor.js';

const loadedMs = performance.now();
const [name, variantArg, seedArg] = process.argv.slice(2);
const seed = Number(seedArg);
let run: () => { variant: string; calls: number };
if (name === 'floor') {
  run = () => ({ variant: 'floor', calls: finagleFloor(seed).calls });
} else {
  const scenario = [finagleSlowMiddle, finagleColdStart].find((s) => s.name === name);
  if (scenario === undefined)
    throw new Error(`finagle.child: unknown scenario ${name}; use finagle-slowmiddle, finagle-coldstart or floor`);
  const variant = variantModels(scenario)[Number(variantArg)];
  if (variant === undefined) throw new Error(`finagle.child: ${name} has no variant ${variantArg}`);
  run = () => ({ variant: variant.name, calls: runModel(variant.model, seed).calls });
}
/** This thread's CPU time so far, ms (Linux), or NaN. */
function mainThreadMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}
mainThreadMs();
const m0 = mainThreadMs();
const u0 = process.cpuUsage();
const t0 = performance.now();
const { variant, calls } = run();
const wallMs = performance.now() - t0;
const u = process.cpuUsage(u0);
const mainMs = mainThreadMs() - m0;
process.stdout.write(
  `${JSON.stringify({ variant, calls, loadedMs, wallMs, cpuMs: (u.user + u.system) / 1000, mainMs: Number.isNaN(mainMs) ? null : mainMs })}\n`,
);
