/**
 * Child process of the Finagle bench's cold case: loads the simulator, then runs one variant of a
 * Finagle scenario once — the first `runModel` of a fresh process, so nothing is JIT-compiled yet —
 * and prints one JSON line: the time from process start until the modules were loaded, and the
 * run's wall and CPU time.
 *
 * Arguments: `<scenario> <variant index> <seed>`, scenario `finagle-slowmiddle` or `finagle-coldstart`.
 */
import { runModel, variantModels } from '../../src/sim/index.js';
import { finagleColdStart, finagleSlowMiddle } from '../../src/sim/scenarios/finagle.js';

const loadedMs = performance.now();
const [name, variantArg, seedArg] = process.argv.slice(2);
const scenario = [finagleSlowMiddle, finagleColdStart].find((s) => s.name === name);
if (scenario === undefined) throw new Error(`finagle.child: unknown scenario ${name}; use finagle-slowmiddle or finagle-coldstart`);
const variant = variantModels(scenario)[Number(variantArg)];
if (variant === undefined) throw new Error(`finagle.child: ${name} has no variant ${variantArg}`);
const u0 = process.cpuUsage();
const t0 = performance.now();
const calls = runModel(variant.model, Number(seedArg)).calls;
const wallMs = performance.now() - t0;
const u = process.cpuUsage(u0);
process.stdout.write(`${JSON.stringify({ variant: variant.name, calls, loadedMs, wallMs, cpuMs: (u.user + u.system) / 1000 })}\n`);
