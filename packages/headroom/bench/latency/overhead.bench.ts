/**
 * Per-call cost of the latency policies when nothing goes wrong (run: `npm run bench -- latency/overhead`):
 * what wrapping a call that resolves at once costs, against the bare call in the same process.
 * The system clock is used, so DeadlinePolicy and HedgePolicy each arm (and cancel) a real timer.
 */
import { do_not_optimize } from 'mitata';
import { SeededRandom } from '../../src/core/random.js';
import {
  ConcurrencyLimiter,
  DeadlinePolicy,
  HedgePolicy,
  RetryPolicy,
  SlidingPercentile,
  TokenBudget,
  FixedLimit,
} from '../../src/latency/index.js';
import { compare } from '../harness.js';

const op = async (): Promise<number> => 1;
const deadline = new DeadlinePolicy({ timeout: 1000 });
const hedge = new HedgePolicy({ delay: 1000, budget: false });
const retry = new RetryPolicy({ random: new SeededRandom(1) });
const limiter = new ConcurrencyLimiter();
const fixed = new ConcurrencyLimiter({ limit: new FixedLimit(1_000_000) });

compare('latency: async policy overhead per call (operation resolves at once)', {
  peer: 'bare await',
  cases: {
    'bare await': async () => do_not_optimize(await op()),
    'DeadlinePolicy (1 s timer armed + cancelled)': async () => do_not_optimize(await deadline.execute(op)),
    'HedgePolicy (fixed delay, timer armed + cancelled)': async () => do_not_optimize(await hedge.execute(op)),
    'RetryPolicy (budget deposit, no retry)': async () => do_not_optimize(await retry.execute(op)),
    'ConcurrencyLimiter.execute (windowed Gradient2)': async () => do_not_optimize(await limiter.execute(op)),
  },
});

const budget = new TokenBudget({ ratio: 0.1 });
const window = new SlidingPercentile(1000);
const random = new SeededRandom(2);
compare('latency: synchronous deciders per call', {
  peer: 'limiter tryAcquire + success (FixedLimit)',
  cases: {
    'limiter tryAcquire + success (FixedLimit)': () => fixed.tryAcquire()!.release('success'),
    'limiter tryAcquire + success (windowed Gradient2)': () => limiter.tryAcquire()!.release('success'),
    'TokenBudget deposit + tryWithdraw': () => {
      budget.deposit();
      do_not_optimize(budget.tryWithdraw());
    },
    'SlidingPercentile(1000) add + p95': () => {
      window.add(random.next() * 100);
      do_not_optimize(window.percentile(95));
    },
  },
});
