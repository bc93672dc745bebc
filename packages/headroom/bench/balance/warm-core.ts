/**
 * The balancer core the pick benches time: `n` endpoints with weights 1–4, each with 0–2 seeded
 * requests in flight and one answered RTT of 1–20 ms, so load-aware pickers compare real numbers.
 * Shared by pick.bench.ts, pick-probing.bench.ts and baseline/hot-paths.bench.ts (which passes an
 * old checkout's module to time the same setup on both sides).
 */
import { SeededRandom } from '../../src/core/random.js';
import type * as Balance from '../../src/balance/index.js';

/** The clock time (ms) the endpoints were added and warmed at; picks should start after it. */
export const T0 = 1_000_000;

/** A warmed `BalancerCore` of `module` (this checkout's or a baseline's) over `n` endpoints. */
export function warmCore(
  module: Pick<typeof Balance, 'BalancerCore'>,
  n: number,
  picker: Balance.PickerFactory,
  load: Balance.LoadMetricFactory,
): Balance.BalancerCore<string> {
  const core = new module.BalancerCore<string>({
    picker,
    load,
    random: new SeededRandom(1),
    panicThresholdPercent: 50,
    slowStart: undefined,
    outlier: undefined,
    health: { healthy: 1, unhealthy: 1 },
    initiallyHealthy: true,
    onRemoved: () => {},
    wake: () => {},
  });
  const seed = new SeededRandom(2);
  const members = Array.from({ length: n }, (_, i) =>
    core.add({ id: `10.0.${i >> 8}.${i & 255}:8080`, target: '' }, 1 + (i % 4), T0, false),
  );
  for (const m of members) {
    for (let k = seed.int(3); k > 0; k--) core.begin(m, T0); // 0–2 in flight
    core.begin(m, T0);
    core.end(m, T0 + 1, 1 + seed.int(20), 'success'); // an RTT of 1–20 ms
  }
  return core;
}
