/**
 * pick() cost per picker at 3, 30 and 300 endpoints, on the synchronous core (the decider the
 * balancer, the dispatcher and the simulator share). `now` advances 1 µs per pick so time-decayed
 * metrics (peak-EWMA) do their real work; loads differ per endpoint (seeded in-flight requests
 * and RTTs) so load-aware pickers compare real numbers. Weights are 1–4 for every picker.
 */
import { do_not_optimize } from 'mitata';
import {
  BalancerCore,
  hashAffinity,
  leastLoaded,
  outstanding,
  p2c,
  peakEwma,
  roundRobin,
  uniformRandom,
  weightedRandom,
  weightedRoundRobin,
  type LoadMetricFactory,
  type PickerFactory,
} from '../../src/balance/index.js';
import { compare } from '../harness.js';
import { T0, warmCore } from './warm-core.js';

function core(n: number, picker: PickerFactory, load: LoadMetricFactory): () => void {
  const c = warmCore({ BalancerCore }, n, picker, load);
  const keys = Array.from({ length: 1024 }, (_, i) => `user:${100_000 + i}`);
  let now = T0 + 10;
  let k = 0;
  return () => {
    now += 0.001;
    do_not_optimize(c.pick(now, keys[(k = (k + 1) & 1023)]));
  };
}

for (const n of [3, 30, 300]) {
  compare(`balance pick(): ${n} endpoints`, {
    peer: 'round-robin',
    cases: {
      'round-robin': core(n, roundRobin(), outstanding()),
      'smooth weighted RR (nginx)': core(n, weightedRoundRobin(), outstanding()),
      random: core(n, uniformRandom(), outstanding()),
      'weighted random': core(n, weightedRandom(), outstanding()),
      'least-outstanding (full scan)': core(n, leastLoaded(), outstanding()),
      'P2C + outstanding': core(n, p2c(), outstanding()),
      'P2C + peak-EWMA': core(n, p2c(), peakEwma()),
      'hash affinity, bounded load': core(n, hashAffinity(), outstanding()),
    },
  });
}
