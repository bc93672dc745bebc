/**
 * Limit algorithms side by side on a simulated server in virtual time (run: `npm run bench -- latency/limits`):
 * 40 workers × 20 ms (2,000 requests/s, true concurrency 40), Poisson arrivals at 2× capacity for
 * 10 s, then 0.5× for 5 s. Service times are uniform in ±50% (a varied server) or ±10% (a steady
 * one) of 20 ms. Figures are over the second half of each phase; SLO for goodput 100 ms. Fixed
 * limits of 20, 40 and 80 (half, equal to and twice the true concurrency) are the static peers.
 * Deterministic (seeded), so the table is the same on every machine.
 */
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom, type Random } from '../../src/core/random.js';
import {
  AimdLimit,
  ConcurrencyLimiter,
  FixedLimit,
  Gradient2Limit,
  VegasLimit,
  WindowedLimit,
  type LimitAlgorithm,
} from '../../src/latency/index.js';
import { simServer, phase } from '../../test/latency/overload-phase.js';
import { report } from '../harness.js';

const W = 40;
const S = 20;

const windowed = (limit: LimitAlgorithm): LimitAlgorithm => new WindowedLimit(limit, { minWindow: 100, maxWindow: 100 });
const algorithms: Array<[string, (random: Random) => LimitAlgorithm | undefined]> = [
  ['none', () => undefined],
  // Static limits: half, equal to and twice the true concurrency (the best is what adaptive must match).
  ...[W / 2, W, 2 * W].map((n): [string, () => LimitAlgorithm] => [`fixed ${n}`, () => new FixedLimit(n)]),
  ['AIMD per request (timeout 40 ms)', () => new AimdLimit({ minLimit: 1, timeout: 2 * S })],
  ['AIMD windowed 100 ms (timeout 40 ms)', () => windowed(new AimdLimit({ minLimit: 1, timeout: 2 * S }))],
  ['Vegas per request (Netflix defaults)', (r) => new VegasLimit({ random: r })],
  ['Vegas windowed 100 ms', (r) => windowed(new VegasLimit({ random: r }))],
  ['Gradient2 per request (Netflix defaults)', () => new Gradient2Limit()],
  ['Gradient2 windowed 100 ms (limiter default)', () => windowed(new Gradient2Limit())],
  ['Gradient2 windowed 100 ms, rttTolerance 1', () => windowed(new Gradient2Limit({ rttTolerance: 1 }))],
];

report('latency: limit algorithms on a simulated server (virtual time; 2× then 0.5× load; true concurrency 40)', async () => {
  const rows: Array<Array<string | number>> = [];
  for (const spread of [0.5, 0.1]) {
    for (const [name, make] of algorithms) {
      const clock = new VirtualClock();
      const random = new SeededRandom(7);
      const server = simServer(clock, random.fork('server'), W, S, spread);
      const algorithm = make(random.fork('limit'));
      const limiter = algorithm === undefined ? undefined : new ConcurrencyLimiter({ clock, limit: algorithm });
      const arrivals = random.fork('arrivals');
      const over = await phase(clock, server, limiter, arrivals, 2, 10_000, W, S, 5 * S);
      const after = await phase(clock, server, limiter, arrivals, 0.5, 5_000, W, S, 5 * S);
      const p99 = (r: { p99: number }): string | number => (Number.isNaN(r.p99) ? 'none answered' : r.p99);
      rows.push([
        `±${spread * 100}%`,
        name,
        limiter === undefined ? '—' : over.meanLimit.toFixed(0),
        over.goodput * 100,
        p99(over),
        limiter === undefined ? '—' : after.meanLimit.toFixed(0),
        after.rejected,
        p99(after),
      ]);
    }
  }
  return {
    header: ['service', 'limit', '2×: mean limit', '2×: goodput %', '2×: p99 ms', '0.5×: mean limit', '0.5×: rejected', '0.5×: p99 ms'],
    rows,
    notes: ['True capacity: 40 in flight. At 0.5× load a good limiter rejects nothing and p99 returns to the service time (≤ 30 ms).'],
  };
});
