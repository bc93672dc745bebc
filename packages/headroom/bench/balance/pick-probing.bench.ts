/**
 * pick() cost of the pickers of issue #18 — Prequal, C3, deterministic aperture — at 10 and 1,000
 * endpoints, beside round-robin and P2C + peak-EWMA in the same run, on the synchronous core with
 * the same setup as pick.bench.ts (loads differ per endpoint, `now` advances 1 µs per pick).
 * What each case times:
 * - Prequal: the pick plus handling its probes' replies (3 per pick, answered from a table right
 *   after the pick, so the pool is full as in steady state); sending a probe is a queued callback
 *   here, not a request.
 * - C3: the pick (the score of 16 candidates sampled without replacement, the default; at 10
 *   endpoints all of them) plus one response's feedback; and the same with `choices: Infinity`,
 *   the full scan C3 did before (every endpoint scored).
 * - Prequal's synchronous variant: one `prequalSync.pick(balancer)` on a `Balancer` (it drives a
 *   balancer, not a core), its d = 3 probes answered from a table in a microtask, so the time
 *   includes the promise it returns and the microtask hops; the endpoint list is filtered per
 *   query (O(n)) and the d candidates drawn from the picker's kept permutation (no copy).
 * - Aperture: P2C inside this client's slice (client 3 of 100).
 */
import { do_not_optimize } from 'mitata';
import { SeededRandom } from '../../src/core/random.js';
import {
  aperture,
  Balancer,
  BalancerCore,
  c3,
  C3Feedback,
  c3Load,
  outstanding,
  p2c,
  peakEwma,
  prequal,
  prequalSync,
  roundRobin,
  type LoadMetricFactory,
  type LoadReport,
  type PickerFactory,
} from '../../src/balance/index.js';
import { compare } from '../harness.js';
import { T0, warmCore } from './warm-core.js';

let now = T0 + 10;

function core(n: number, picker: PickerFactory, load: LoadMetricFactory, after?: (id: string) => void): () => void {
  const c = warmCore({ BalancerCore }, n, picker, load);
  return () => {
    now += 0.001;
    const m = c.pick(now, undefined);
    if (after !== undefined) after(m!.id);
    do_not_optimize(m);
  };
}

/** A Prequal factory whose probes are answered (from a fixed table) when `flush` runs. */
function prequalCase(n: number): () => void {
  const pending: Array<(r: LoadReport | undefined) => void> = [];
  const ids: string[] = [];
  const reports = new Map<string, LoadReport>();
  const seed = new SeededRandom(3);
  const factory = prequal({
    prober: {
      probe: (id, done) => {
        ids.push(id);
        pending.push(done);
      },
    },
    clock: { now: () => now, wallNow: () => now, setTimer: () => ({ cancel: () => {} }) },
  });
  const flush = (): void => {
    for (let k = 0; k < pending.length; k++) {
      const id = ids[k]!;
      let r = reports.get(id);
      if (r === undefined) reports.set(id, (r = { rif: seed.int(8), latencyMs: 1 + seed.int(20), serviceMs: 2 }));
      pending[k]!(r);
    }
    pending.length = 0;
    ids.length = 0;
  };
  return core(n, factory, outstanding(), flush);
}

function c3Case(n: number, choices?: number): () => void {
  const feedback = new C3Feedback();
  const report: LoadReport = { rif: 2, latencyMs: 5, serviceMs: 3 };
  const factory = c3({ feedback, clients: 10, ...(choices === undefined ? {} : { choices }) });
  return core(n, factory, c3Load(), (id) => feedback.observe(id, report, now));
}

/** `prequalSync` over a Balancer of `n` endpoints; probes answered from a fixed table in a microtask. */
function prequalSyncCase(n: number): () => Promise<unknown> {
  const seed = new SeededRandom(4);
  const reports = new Map<string, LoadReport>();
  const clock = { now: () => now, wallNow: () => now, setTimer: () => ({ cancel: () => {} }) };
  const balancer = new Balancer<string>({
    endpoints: Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}:8080`),
    picker: roundRobin(),
    load: outstanding(),
    outlier: false,
    clock,
    random: new SeededRandom(1),
  });
  const sync = prequalSync({
    prober: {
      probe: (id, done) => {
        let r = reports.get(id);
        if (r === undefined) reports.set(id, (r = { rif: seed.int(8), latencyMs: 1 + seed.int(20), serviceMs: 2 }));
        const reply = r;
        queueMicrotask(() => done(reply));
      },
    },
    clock,
    random: new SeededRandom(5),
  });
  return () => {
    now += 0.001;
    return sync.pick(balancer);
  };
}

for (const n of [10, 1000]) {
  compare(`balance pick(), probing pickers: ${n} endpoints`, {
    peer: 'round-robin',
    cases: {
      'round-robin': core(n, roundRobin(), outstanding()),
      'P2C + peak-EWMA': core(n, p2c(), peakEwma()),
      'Prequal (+ 3 probe replies)': prequalCase(n),
      'C3, 16 choices (+ 1 response feedback)': c3Case(n),
      'C3, full scan (+ 1 response feedback)': c3Case(n, Infinity),
      'Prequal sync, d = 3 (async: a promise)': prequalSyncCase(n),
      'aperture (P2C + peak-EWMA)': core(n, aperture({ coordinate: { index: 3, count: 100 } }), peakEwma()),
    },
  });
}
