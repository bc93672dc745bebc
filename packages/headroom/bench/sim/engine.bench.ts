/**
 * Engine speed: the same event workload — 1,000 timer chains, each event rescheduling its chain
 * after an exponential delay — run on the simulator's engine (its allocation-free `at()` API, and
 * its `clock.setTimer` view that policies use) and on `core`'s `VirtualClock` (one `setImmediate`
 * per timer to drain microtasks). Rounds interleave the three cases; events/s per case is reported
 * as median and range over the rounds, with the ratio of medians to `VirtualClock`.
 *
 * Sizes: 2,000,000 events per engine round, 200,000 per VirtualClock round (it is ~100× slower);
 * 5 rounds. HEADROOM_BENCH_SIM_ROUNDS changes the rounds.
 */
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import type { Clock } from '../../src/core/clock.js';
import { SimEngine, type SimHandler } from '../../src/sim/index.js';
import { report } from '../harness.js';

const CHAINS = 1000;
const ROUNDS = Number(process.env['HEADROOM_BENCH_SIM_ROUNDS'] ?? 5);

function engineAt(events: number): number {
  const engine = new SimEngine({ seed: 1 });
  const r = new SeededRandom(2);
  let left = events;
  const chain: SimHandler = {
    handle(kind) {
      if (--left > 0) engine.after(-Math.log(1 - r.next()), chain, kind, 0);
      else engine.stop();
    },
  };
  const t0 = performance.now();
  for (let i = 0; i < CHAINS; i++) engine.after(-Math.log(1 - r.next()), chain, i, 0);
  engine.run();
  return events / ((performance.now() - t0) / 1000);
}

function clockChains(clock: Clock, events: number, done: () => void): void {
  const r = new SeededRandom(2);
  let left = events;
  const fire = (): void => {
    if (--left > 0) clock.setTimer(-Math.log(1 - r.next()), fire);
    else done();
  };
  for (let i = 0; i < CHAINS; i++) clock.setTimer(-Math.log(1 - r.next()), fire);
}

function engineClock(events: number): number {
  const engine = new SimEngine({ seed: 1 });
  const t0 = performance.now();
  clockChains(engine.clock, events, () => engine.stop());
  engine.run();
  return events / ((performance.now() - t0) / 1000);
}

async function virtualClock(events: number): Promise<number> {
  const clock = new VirtualClock();
  let finished = false;
  const t0 = performance.now();
  clockChains(clock, events, () => (finished = true));
  while (!finished) await clock.advanceBy(1000);
  return events / ((performance.now() - t0) / 1000);
}

const fmt = (x: number): string => `${(x / 1e6).toFixed(2)}M`;

report('sim: engine events/s vs VirtualClock (1,000 timer chains)', async () => {
  const cases: Record<string, () => Promise<number> | number> = {
    'SimEngine.at (handler, no closure)': () => engineAt(2_000_000),
    'SimEngine.clock.setTimer (policy view)': () => engineClock(2_000_000),
    'VirtualClock.setTimer + advanceBy': () => virtualClock(200_000),
  };
  const names = Object.keys(cases);
  const runs: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) runs[name]!.push(await cases[name]!());
    process.stderr.write(`  round ${round + 1}/${ROUNDS}\n`);
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;
  const peer = median(runs['VirtualClock.setTimer + advanceBy']!);
  return {
    header: ['case', 'events/s (median)', 'range over rounds', 'events/minute', 'vs VirtualClock'],
    rows: names.map((n) => {
      const v = runs[n]!;
      return [
        n,
        fmt(median(v)),
        `${fmt(Math.min(...v))}–${fmt(Math.max(...v))}`,
        `${(median(v) * 60).toExponential(2)}`,
        `${(median(v) / peer).toFixed(1)}×`,
      ];
    }),
    notes: [`${ROUNDS} interleaved rounds; engine rounds run 2,000,000 events, VirtualClock rounds 200,000.`],
  };
});
