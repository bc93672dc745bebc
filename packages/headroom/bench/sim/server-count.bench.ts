/**
 * Where the fleet bench's gap to the bare loop comes from: the same model (`fleet-model.ts`) and the
 * same number of calls on fleets of 100 to 100,000 servers — the rate follows the fleet, so every
 * case does the same work per call, and only the state the run spreads its calls over grows (the
 * servers, and the calls in flight at once). If `runModel`'s CPU ÷ the bare loop's grows with the
 * fleet, the cost is in memory (the state a call touches no longer stays in the CPU's caches), not
 * in the work per call. A fleet written `<servers>x<workers>` (default 4 workers) changes the
 * servers at about the same calls in flight, which tells the two apart.
 *
 * Cases per fleet size: the real objects (`runModel`), the bare typed-array loop, and the bare loop
 * with the real policy objects deciding (`policy-fleet.ts`), and that loop with its events on the
 * simulator's engine (`engine-policies`: the engine's part of the gap), and the bare loop itself on
 * the engine (`bare-engine`), one child process per run
 * (`fleet.child.ts --servers=<n>`), interleaved in a rotating order over the rounds; round r uses
 * seed r. HEADROOM_BENCH_SIM_CALLS sets the calls (default 2,000,000), HEADROOM_BENCH_SIM_ROUNDS
 * the rounds (default 3), HEADROOM_BENCH_SIM_FLEETS the sizes (comma-separated).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { report } from '../harness.js';
import { fleetModel, WORKERS } from './fleet-model.js';
import { median, range } from '../summary.js';

const CALLS = Number(process.env['HEADROOM_BENCH_SIM_CALLS'] ?? 2_000_000);
const ROUNDS = Number(process.env['HEADROOM_BENCH_SIM_ROUNDS'] ?? 3);
const FLEETS = (process.env['HEADROOM_BENCH_SIM_FLEETS'] ?? '100,1000,10000,100000').split(',').map(parseFleet);
const CHILD = fileURLToPath(new URL('./fleet.child.ts', import.meta.url));
const KINDS = ['model', 'bare', 'bare-engine', 'policies', 'engine-policies'] as const;

/** A fleet's shape. */
interface Fleet {
  readonly name: string;
  readonly servers: number;
  readonly workers: number;
}

/** One run's CPU time and what it measured. */
interface Run {
  readonly cpuS: number;
  readonly calls: number;
  readonly meanMs: number;
  readonly p99Ms: number;
  readonly maxRssMb: number;
}

function parseFleet(text: string): Fleet {
  const [servers, workers = WORKERS] = text.split('x').map(Number);
  if (!Number.isInteger(servers) || servers! < 1 || !Number.isInteger(workers) || workers < 1)
    throw new Error(`HEADROOM_BENCH_SIM_FLEETS: "${text}" is not a fleet; write <servers> or <servers>x<workers>, e.g. 2500x16`);
  return { name: workers === WORKERS ? String(servers) : `${servers}×${workers}`, servers: servers!, workers };
}

function runChild(kind: string, fleet: Fleet, seed: number): Run {
  const args = [kind, String(CALLS), String(seed), `--servers=${fleet.servers}`, `--workers=${fleet.workers}`];
  const out = execFileSync(process.execPath, ['--conditions=headroom-source', '--import', 'tsx', CHILD, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Run;
}

const title = FLEETS.map((f) => f.name).join(', ');
report(`sim: ${CALLS} calls on fleets of ${title} servers — real objects and bare loop, CPU by fleet size`, () => {
  const cases = FLEETS.flatMap((fleet) => KINDS.map((kind) => ({ fleet, kind })));
  const runs = new Map<string, Run[]>(cases.map((c) => [`${c.kind}@${c.fleet.name}`, []]));
  const loads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < cases.length; i++) {
      // each round starts at another fleet size and another kind
      const { fleet, kind } = cases[(i + round * (KINDS.length + 1)) % cases.length]!;
      const run = runChild(kind, fleet, round + 1);
      runs.get(`${kind}@${fleet.name}`)!.push(run);
      loads.push(loadavg()[0]!);
      process.stderr.write(`  round ${round + 1}/${ROUNDS} ${kind}, ${fleet.name} servers: cpu ${run.cpuS.toFixed(2)} s\n`);
    }
  }
  // runs are pushed in round order, so index r of each case is round r
  const ratio = (kind: string, fleet: Fleet): number[] =>
    runs.get(`${kind}@${fleet.name}`)!.map((r, i) => r.cpuS / runs.get(`bare@${fleet.name}`)![i]!.cpuS);
  return {
    header: [
      'servers',
      'real objects: cpu s (median, range)',
      'bare loop: cpu s (median, range)',
      'bare on the engine ÷ bare (median, range)',
      'bare + real policies ÷ bare (median, range)',
      'the same on the engine ÷ bare (median, range)',
      'real objects ÷ bare (median, range)',
      'real objects: calls in flight (λ·W), p99 ms, peak RSS MB',
    ],
    rows: FLEETS.map((fleet) => {
      const cpu = (kind: string): number[] => runs.get(`${kind}@${fleet.name}`)!.map((r) => r.cpuS);
      const model = runs.get(`model@${fleet.name}`)!;
      const bareEngine = ratio('bare-engine', fleet);
      const policies = ratio('policies', fleet);
      const engine = ratio('engine-policies', fleet);
      const objects = ratio('model', fleet);
      const ratePerMs = fleetModel(CALLS, fleet.servers, fleet.workers).bare.ratePerSec / 1000;
      return [
        fleet.name,
        `${median(cpu('model')).toFixed(2)} (${range(cpu('model'), 2)})`,
        `${median(cpu('bare')).toFixed(2)} (${range(cpu('bare'), 2)})`,
        `${median(bareEngine).toFixed(2)} (${range(bareEngine, 2)})`,
        `${median(policies).toFixed(2)} (${range(policies, 2)})`,
        `${median(engine).toFixed(2)} (${range(engine, 2)})`,
        `${median(objects).toFixed(2)} (${range(objects, 2)})`,
        `${Math.round(ratePerMs * median(model.map((r) => r.meanMs))).toLocaleString('en-US')}, ${median(model.map((r) => r.p99Ms)).toFixed(2)}, ${Math.round(median(model.map((r) => r.maxRssMb)))}`,
      ];
    }),
    notes: [
      `${ROUNDS} interleaved rounds (round r uses seed r in every case), one child process per run; load average (1 min) after each run ${range(loads, 1)}.`,
      'cpu s is the run’s user + system CPU time, start-up and module loading excluded; every case runs the same calls at 80% of its fleet’s capacity.',
    ],
  };
});
