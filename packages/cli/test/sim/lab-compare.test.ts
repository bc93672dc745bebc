/**
 * `compareWithLab` on a lab run whose latencies are known (built on the lab's own CDF grid): the
 * calibration phases come back as recorded, and the predictions move the way the mechanisms say;
 * the tail-to-stalls fit recovers a known stall process, in the simulator too; a lab run with
 * per-replica CDFs and the client's loop delay is modelled from those, and one without them as before.
 * The comparison with a real lab run is `headroom sim-vs-lab`, quoted in docs/sim.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from 'headroom';
import { runModel } from 'headroom/sim';
import {
  atSteadySpeed,
  compareWithLab,
  msAt,
  pausesAtShare,
  pausesFromTail,
  rangeOf,
  verdictOf,
  scaledToLag,
  stallsFromLag,
  stallsFromLoopDelay,
  stallsFromTail,
  subCdf,
  withoutClientStalls,
  type LabJson,
  type WindowSpeed,
} from '../../src/sim/lab-compare.js';
import { cdf } from './lab-cdf.js';
import { quantileOf } from '../../src/lab/quantile.js';

const uniform = (lo: number, hi: number, q: number): number => lo + (hi - lo) * q;
// Round-robin over 2 fast replicas (4–6 ms) and a slow one (40–44 ms); 1.25% of requests stall 250 ms.
const slowCdf = cdf((q) => (q < 2 / 3 ? uniform(4, 6, q * 1.5) : uniform(40, 44, (q - 2 / 3) * 3)));
const stallCdf = cdf((q) => (q < 0.9875 ? uniform(2, 4, q / 0.9875) : 252));
const quietLag = { p50: 0.5, p99: 2, max: 5 };
const phase = (label: string, role: 'baseline' | 'treatment', c: typeof slowCdf, p50: number, p99: number) => ({
  label,
  role,
  offeredPerSec: 600,
  slowShare: 1 / 3,
  sent: 4800,
  stalledRequests: 60,
  latencyMs: { p50, p99 },
  cdf: c,
  generatorLagMs: quietLag,
});

const lab: LabJson = {
  settings: { phaseDurationMs: 8000, warmupMs: 1000 },
  environment: { loadAverage: { start: 1, end: 1 } },
  scenarios: [
    {
      name: 'slow-replica',
      phases: [phase('round-robin', 'baseline', slowCdf, 5.5, 43.9), phase('p2c + peak-ewma', 'treatment', slowCdf, 5, 6)],
    },
    {
      name: 'stalls',
      phases: [
        phase('no hedging', 'baseline', stallCdf, 3, 252),
        { ...phase('hedging', 'treatment', stallCdf, 3, 10), extraRequestRatio: 0.0197 },
      ],
    },
  ],
};

test('calibration phases are reproduced; P2C + peak-EWMA avoids the slow replica; hedging removes the stalls from p99', () => {
  const rows = compareWithLab(lab);
  assert.deepEqual(
    rows.map((r) => `${r.scenario}/${r.phase}`),
    ['slow-replica/round-robin', 'slow-replica/p2c + peak-ewma', 'stalls/no hedging', 'stalls/hedging'],
  );
  const [rr, p2c, noHedge, hedge] = rows;
  // Calibration: round-robin sees the recorded mixture back (p50 in the fast part, p99 in the slow one).
  assert.ok(Math.abs(rr!.sim.p50 - 5.5) < 0.3, `rr p50 ${rr!.sim.p50}`);
  assert.ok(rr!.sim.p99 > 42 && rr!.sim.p99 < 45, `rr p99 ${rr!.sim.p99}`);
  assert.ok(Math.abs(rr!.sim.slowShare - 1 / 3) < 0.01);
  // The counted stalls (60 of 4,800) are the body plus 250 ms: p99 lands in them, not on the grid's
  // ramp between p98.4 and p99 (where the older mapping read ≈ 190 ms).
  assert.ok(noHedge!.sim.p99 > 250 && noHedge!.sim.p99 < 256, `no-hedging p99 ${noHedge!.sim.p99}`);
  // Predictions.
  assert.ok(p2c!.sim.slowShare < 0.05, `p2c to the slow replica ${p2c!.sim.slowShare}`);
  assert.ok(p2c!.sim.p99 < rr!.sim.p99 / 2, `p2c p99 ${p2c!.sim.p99}`);
  assert.ok(hedge!.sim.p99 < 30, `hedged p99 ${hedge!.sim.p99}`);
  // The hedges sent, beside the lab's: the model's after its p98 (about 2% of calls, under the 5%
  // budget), none without hedging; the lab's as its run recorded them (NaN where it did not).
  assert.ok(hedge!.sim.extra > 0.01 && hedge!.sim.extra < 0.05, `hedged extra ${hedge!.sim.extra}`);
  assert.equal(hedge!.lab.extra, 0.0197);
  assert.ok(rows.slice(0, 3).every((r) => r.sim.extra === 0 && Number.isNaN(r.lab.extra)));
  assert.ok(
    rows.every((r) => !r.machineChanged),
    'the same send lag in every phase',
  );
});

test('a tail made by client stalls of 40 ms is fitted back to 40 ms stalls, which give the tail again in the simulator', () => {
  // Body 3–3.2 ms; 10% of requests meet a 40 ms stall (when sent or when answered) and wait the rest of it, U(0, 40).
  const tailCdf = cdf((q) => (q < 0.9 ? uniform(3, 3.2, q / 0.9) : 3.1 + 40 * (1 - (1 - q) / 0.1)));
  const fitted = stallsFromTail(tailCdf, 95)!;
  assert.equal(fitted.duration.type, 'empirical');
  const durations = (fitted.duration as { buckets: readonly (readonly [number, number])[] }).buckets.filter(([, c]) => c > 0);
  const weight = durations.reduce((a, [, c]) => a + c, 0);
  const meanD = durations.reduce((a, [v, c]) => a + v * c, 0) / weight;
  assert.ok(Math.abs(meanD - 40) < 1, `stall length ${meanD} ms`);
  // 2·E[(D − x₀)⁺] / (I + E[D]) = 5% above p95, where the extra x₀ is 20 ms: I ≈ 2·20 / 0.05 − 40 = 760 ms.
  const interval = Number((fitted.interval as { mean: number }).mean);
  assert.ok(Math.abs(interval - 760) < 40, `stall gap ${interval} ms`);
  const r = runModel(
    {
      duration: '60s',
      warmup: '1s',
      arrivals: { type: 'poisson', ratePerSec: 600 },
      clients: { picker: 'round-robin', stalls: fitted },
      servers: [{ count: 3, workers: 'unbounded', service: { type: 'uniform', min: '3ms', max: '3.2ms' } }],
    },
    1,
  );
  // The recorded p99: 3.1 + 40·0.9 = 39.1 ms; p50 in the body.
  assert.ok(Math.abs(r.latency.p99 - 39.1) < 39.1 * 0.1, `p99 ${r.latency.p99}`);
  assert.ok(r.latency.p50 < 3.5, `p50 ${r.latency.p50}`);
  assert.equal(
    stallsFromTail(
      cdf((q) => uniform(3, 3.2, q)).map((c) => ({ ...c, ms: 3 })),
      95,
    ),
    undefined,
    'a flat tail',
  );
});

test("the stalls are rescaled to a treatment's send lag, and a busier client there raises the hedged p99", () => {
  // D = max lag 40 ms; P(lag > p99 = 5 ms) = 1%: stalled 40 / (100·35) of the time.
  assert.deepEqual(stallsFromLag({ p50: 0, p99: 5, max: 40 }), { durationMs: 40, timeShare: 40 / 3500 });
  assert.equal(stallsFromLag({ p50: 0, p99: 0.2, max: 0.9 }), undefined, 'sub-millisecond lag is timer granularity');
  assert.equal(stallsFromLag(undefined), undefined, 'older lab runs record no lag');
  const fitted = {
    interval: { type: 'exponential', mean: 960 },
    duration: {
      type: 'empirical',
      buckets: [
        [40, 0],
        [40, 1],
      ],
    },
  } as const;
  assert.deepEqual(scaledToLag(fitted, quietLag, quietLag), fitted);
  assert.deepEqual(scaledToLag(fitted, undefined, quietLag), fitted);
  // Twice the stall length and twice the share of time stalled (80 / (100·35) against 40 / (100·35)): 80 ms stalls, 8% of the time (4% before).
  const busier = scaledToLag(fitted, { p50: 0, p99: 5, max: 40 }, { p50: 0, p99: 45, max: 80 });
  assert.deepEqual(busier.duration, {
    type: 'empirical',
    buckets: [
      [80, 0],
      [80, 1],
    ],
  });
  assert.ok(Math.abs(80 / (Number((busier.interval as { mean: number }).mean) + 80) - 2 * (40 / 1000)) < 1e-9);

  const lagged: LabJson = {
    ...lab,
    scenarios: [
      {
        name: 'stalls',
        phases: [
          phase('no hedging', 'baseline', stallCdf, 3, 252),
          { ...phase('hedging', 'treatment', stallCdf, 3, 10), generatorLagMs: { p50: 0.5, p99: 30, max: 120 } },
        ],
      },
    ],
  };
  const quiet = compareWithLab(lab)[3]!;
  const busy = compareWithLab(lagged)[1]!;
  assert.equal(busy.machineChanged, true, 'send lag p99 2 → 30 ms');
  assert.ok(busy.sim.p99 > 2 * quiet.sim.p99, `hedged p99 with the busier client ${busy.sim.p99} vs ${quiet.sim.p99}`);
  // The other bound takes the recorded latency as each replica's own: the busier client does not reach it.
  assert.ok(busy.simWithoutStalls.p99 < busy.sim.p99 / 2, `without the stalls ${busy.simWithoutStalls.p99}`);
  assert.ok(Math.abs(busy.simWithoutStalls.p99 - quiet.simWithoutStalls.p99) < 1);
});

/** A loop-delay record of 8,000 samples over 8 s: `stallShare` of them stalls of `stallMs`, the rest 0.2 ms. */
const loopDelay = (stallShare: number, stallMs: number) => ({
  resolutionMs: 1,
  samples: 8000,
  spanMs: 8000,
  cdf: cdf((q) => (q < 1 - stallShare ? 0.2 : stallMs)),
});

test("client stalls from the measured loop delay; a replica's service is what it answered less them", () => {
  // 1% of 8,000 samples are 20 ms stalls: 80 stalls over 8 s, stalled 20% of the time, a gap of 80 ms.
  const measured = stallsFromLoopDelay(loopDelay(0.01, 20))!;
  assert.ok(Math.abs(measured.timeShare - 0.2) < 0.02, `time share ${measured.timeShare}`);
  const d = measured.stalls.duration as { buckets: readonly (readonly [number, number])[] };
  assert.ok(
    d.buckets.every(([v, c]) => c === 0 || Math.abs(v - 20) < 0.5),
    JSON.stringify(d.buckets),
  );
  const gap = Number((measured.stalls.interval as { mean: number }).mean);
  assert.ok(Math.abs(gap - 80) < 10, `gap ${gap} ms`);
  assert.equal(stallsFromLoopDelay(loopDelay(0, 0.2)), undefined, 'a loop that never stalled');
  // Answers U(4, 6) ms; 20% of them arrive in a 20 ms stall and wait U(0, 20) more. Deconvolved,
  // the service comes back (p50 5, p99 5.98), where the recorded p99 is ≈ 21 ms.
  const seen = cdf((q) => {
    // quantile of 0.8·U(4,6) + 0.2·(U(4,6) + U(0,20)), by bisection on its CDF
    const F = (x: number): number => {
      const u = (y: number): number => Math.min(1, Math.max(0, (y - 4) / 2));
      let conv = 0;
      for (let k = 0; k < 200; k++) conv += u(x - ((k + 0.5) * 20) / 200) / 200;
      return 0.8 * u(x) + 0.2 * conv;
    };
    let lo = 4;
    let hi = 26;
    for (let i = 0; i < 50; i++) {
      const mid = (lo + hi) / 2;
      if (F(mid) < q) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  });
  assert.ok(msAt(seen, 99) > 18, `recorded p99 ${msAt(seen, 99)}`);
  const service = withoutClientStalls(seen, measured.stalls, measured.timeShare);
  assert.ok(Math.abs(msAt(service, 50) - 5) < 0.2, `service p50 ${msAt(service, 50)}`);
  assert.ok(msAt(service, 99) < 7, `service p99 ${msAt(service, 99)}`);
  assert.ok(msAt(service, 99) > 5.5, `service p99 ${msAt(service, 99)}`);
});

test('a lab run with per-replica CDFs and the loop delay is modelled from them; one without compares as before', () => {
  // The phase's mixed CDF says a slow third (40–44 ms); the replicas' own CDFs say all three are fast:
  // the per-replica model must follow the replicas' own (p99 ≈ 6 ms), the older one the mixed CDF (≈ 44).
  const fast = cdf((q) => uniform(4, 6, q));
  const withReplicas = (p: ReturnType<typeof phase>, loop: ReturnType<typeof loopDelay>) => ({
    ...p,
    replicaCdf: [fast, fast, fast],
    clientLoopDelay: loop,
  });
  const quietLoop = loopDelay(0.002, 2);
  const run = (withNew: boolean): LabJson => ({
    ...lab,
    scenarios: [
      {
        name: 'slow-replica',
        phases: [
          phase('round-robin', 'baseline', slowCdf, 5.5, 43.9),
          // the treatment's own loop delay: 30 ms stalls on 0.5% of samples
          withReplicas(phase('p2c + peak-ewma', 'treatment', slowCdf, 5, 6), loopDelay(0.005, 30)),
        ].map((p, i) =>
          withNew ? (i === 0 ? withReplicas(p, quietLoop) : p) : phase(p.label, p.role, slowCdf, p.latencyMs.p50, p.latencyMs.p99),
        ),
      },
    ],
  });
  const [base, treat] = compareWithLab(run(true));
  assert.deepEqual(base!.source, { service: 'per-replica', stalls: 'loop delay' });
  assert.ok(base!.sim.p99 < 10, `per-replica baseline p99 ${base!.sim.p99}`);
  assert.ok(Math.abs(base!.sim.p50 - 5.5) < 0.3, `p50 calibrated to the recorded ${base!.sim.p50}`);
  // The replicas answered in 4–6 ms (p50 5), the lab's latency p50 is 5.5: the 0.5 ms is the
  // client's before the send, added to the simulated latency, not to the replicas' service (which
  // is what the balancer sees).
  assert.ok(Math.abs(base!.clientMs - 0.5) < 0.2, `client's own time ${base!.clientMs}`);
  assert.equal(treat!.clientMs, base!.clientMs);
  assert.equal(base!.baselineOvershootMs, 0);
  // The calibration check: each replica simulated alone gives its recorded CDF back (U(4, 6)).
  assert.equal(base!.replicas?.length, 3);
  for (const r of base!.replicas!) {
    assert.ok(Math.abs(r.simulated.p50 - r.recorded.p50) < 0.2, JSON.stringify(r));
    assert.ok(Math.abs(r.simulated.p90 - r.recorded.p90) < 0.3, JSON.stringify(r));
  }
  assert.equal(treat!.replicas, null);
  // The treatment's stalls are its own measured ones (30 ms), not the baseline's (2 ms).
  assert.ok(treat!.clientStalls !== null && Math.abs(treat!.clientStalls.meanMs - 30) < 1, JSON.stringify(treat!.clientStalls));
  assert.ok(base!.clientStalls !== null && base!.clientStalls.meanMs < 3, JSON.stringify(base!.clientStalls));
  const [oldBase] = compareWithLab(run(false));
  assert.deepEqual(oldBase!.source, { service: 'mixed CDF', stalls: 'fitted tail' });
  assert.equal(oldBase!.clientMs, 0, 'the mixed-CDF model shifts the service instead');
  assert.equal(oldBase!.replicas, null);
  assert.ok(oldBase!.sim.p99 > 40, `mixed-CDF baseline p99 ${oldBase!.sim.p99}`);
});

/**
 * The slow-replica scenario on three fast replicas (4–6 ms) with a client loop delay of `stallMs`
 * stalls and the lab's p50s `p50s` (baseline, treatment), compared with `options` (no spread runs):
 * its baseline and treatment rows.
 */
const fastReplicaRows = (
  stallMs: number,
  options: Parameters<typeof compareWithLab>[1] = {},
  p50s: readonly [number, number] = [5.5, 5],
): ReturnType<typeof compareWithLab> => {
  const fast = cdf((q) => uniform(4, 6, q));
  return compareWithLab(
    {
      ...lab,
      scenarios: [
        {
          name: 'slow-replica',
          phases: [
            phase('round-robin', 'baseline', slowCdf, p50s[0], 43.9),
            phase('p2c + peak-ewma', 'treatment', slowCdf, p50s[1], 6),
          ].map((p) => ({
            ...p,
            replicaCdf: [fast, fast, fast],
            clientLoopDelay: loopDelay(0.002, stallMs),
          })),
        },
      ],
    },
    { spreadRuns: 0, ...options },
  );
};

test('a baseline the per-replica model comes out slower than adds no negative client time: it reports the overshoot', () => {
  // The replicas answered in 4–6 ms, but the lab's latency p50 says 3 ms (a run whose figures do not
  // hang together, as when the load generator fell far behind): no client time can make up 2 ms.
  const [base, treat] = fastReplicaRows(2, {}, [3, 3]);
  assert.equal(base!.clientMs, 0);
  assert.ok(Math.abs(base!.baselineOvershootMs - 2) < 0.3, `overshoot ${base!.baselineOvershootMs}`);
  assert.ok(base!.sim.p50 > 4.5 && treat!.sim.p50 > 4.5, `latencies stay the model's own: ${base!.sim.p50}, ${treat!.sim.p50}`);
});

/**
 * Latencies of a server whose service is U(s0, s1) ms and which pauses for `pauseMs` after gaps of
 * mean `gapMs` (exponential), as the simulator's server does: a request arriving in a pause waits
 * the rest of it, and each pause that starts while it is in service pushes it back by all of it.
 * Computed here directly (not by the simulator), on the lab's CDF grid.
 */
function pausedServerCdf(s0: number, s1: number, pauseMs: number, gapMs: number): { percentile: number; ms: number }[] {
  const random = new SeededRandom(7);
  const horizon = 4_000_000;
  const gap = (): number => -Math.log(1 - random.next()) * gapMs;
  const starts: number[] = [];
  for (let t = gap(); t < horizon; t += pauseMs + gap()) starts.push(t);
  const n = 200_000;
  const latencies: number[] = [];
  for (let k = 0; k < n; k++) {
    const arrival = random.next() * (horizon - 10_000);
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= arrival) lo = mid + 1;
      else hi = mid;
    }
    let now = lo > 0 && starts[lo - 1]! + pauseMs > arrival ? starts[lo - 1]! + pauseMs : arrival;
    let left = s0 + (s1 - s0) * random.next();
    for (let i = lo; i < starts.length && starts[i]! < now + left; i++) {
      left -= starts[i]! - now;
      now = starts[i]! + pauseMs;
    }
    latencies.push(now + left - arrival);
  }
  latencies.sort((a, b) => a - b);
  return cdf((q) => latencies[Math.min(n - 1, Math.floor(q * n))]!);
}

test("a replica's pauses are fitted back from its tail: the simulated replica gives its CDF again, where stalls' fit does not", () => {
  for (const [s0, s1, pauseMs, gapMs] of [
    [39, 41, 20, 2000], // the slow replica: a pause that starts in its 40 ms service delays it by all of it
    [4, 5, 10, 500], // a fast one
  ] as const) {
    const recorded = pausedServerCdf(s0, s1, pauseMs, gapMs);
    const body = subCdf(recorded, 0, 95);
    const buckets: [number, number][] = body.map((c, i) => [c.ms, i === 0 ? 0 : c.percentile - body[i - 1]!.percentile]);
    const simulated = (pauses: ReturnType<typeof pausesFromTail>) =>
      runModel(
        {
          duration: 201_000,
          warmup: 1000,
          arrivals: { type: 'poisson', ratePerSec: 200 },
          clients: { picker: 'round-robin' },
          servers: [{ count: 1, workers: 'unbounded', service: { type: 'empirical', buckets }, pauses: pauses! }],
        },
        1,
      ).latency;
    const fitted = simulated(pausesFromTail(recorded, 95));
    const label = `service U(${s0}, ${s1}), ${pauseMs} ms pauses every ${gapMs} ms`;
    assert.ok(Math.abs(fitted.p50 / msAt(recorded, 50) - 1) < 0.02, `${label}: p50 ${fitted.p50} vs ${msAt(recorded, 50)}`);
    assert.ok(Math.abs(fitted.p90 / msAt(recorded, 90) - 1) < 0.02, `${label}: p90 ${fitted.p90} vs ${msAt(recorded, 90)}`);
    assert.ok(Math.abs(fitted.p99 / msAt(recorded, 99) - 1) < 0.1, `${label}: p99 ${fitted.p99} vs ${msAt(recorded, 99)}`);
    assert.ok(Math.abs(fitted.p999 / msAt(recorded, 99.9) - 1) < 0.1, `${label}: p99.9 ${fitted.p999} vs ${msAt(recorded, 99.9)}`);
    // The client stalls' fit (two chances per request, each waiting the rest of a stall) reads the
    // same tail as pauses every few ms: the body moves by a third or more.
    const asStalls = simulated(stallsFromTail(recorded, 95));
    assert.ok(asStalls.p50 > 1.3 * msAt(recorded, 50), `${label}: as stalls, p50 ${asStalls.p50}`);
  }
});

test('the share to each replica is counted over the measured window, as the lab counts it, not over the warm-up', () => {
  // Replica 0 answers in 1.5–1.6 s: P2C + peak-EWMA probes it once in the warm-up (it has no
  // history yet) and never again before the run ends, so the window sends it nothing.
  const verySlow = cdf((q) => (q < 2 / 3 ? uniform(4, 6, q * 1.5) : uniform(1500, 1600, (q - 2 / 3) * 3)));
  const rows = compareWithLab({
    ...lab,
    settings: { phaseDurationMs: 100, warmupMs: 1000 },
    scenarios: [
      {
        name: 'slow-replica',
        phases: [phase('round-robin', 'baseline', verySlow, 6, 1590), phase('p2c + peak-ewma', 'treatment', verySlow, 5, 6)],
      },
    ],
  });
  assert.equal(rows[1]!.sim.slowShare, 0);
});

test("the lab's one window is judged against the model's window-by-window p5–p95: inside and outside give different verdicts", () => {
  assert.equal(quantileOf([3, 1, 2, 4, 5], 0.5), 3);
  assert.deepEqual(rangeOf([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]), { p5: 5, p95: 95 });
  assert.equal(verdictOf(5, { p5: 5, p95: 6 }), 'inside model range');
  assert.equal(verdictOf(6.1, { p5: 5, p95: 6 }), 'above');
  assert.equal(verdictOf(4.9, { p5: 5, p95: 6 }), 'below');
  assert.equal(verdictOf(6.00004, { p5: 5, p95: 6 }, 0.5e-4), 'inside model range', "within the lab's rounding");

  const runs = 20;
  const slowOnly = (phases: LabJson['scenarios'][number]['phases']): LabJson => ({ ...lab, scenarios: [{ name: 'slow-replica', phases }] });
  const [base, p2c] = lab.scenarios[0]!.phases;
  const model = compareWithLab(slowOnly([base!, p2c!]), { spreadRuns: runs })[1]!.spread!;
  assert.equal(model.runs, runs);
  assert.ok(model.share.model.p5 < model.share.model.p95 && model.share.model.p95 < 0.05, `p2c share ${JSON.stringify(model.share.model)}`);
  assert.ok(model.p99.model.p5 <= model.p99.model.p95);
  assert.equal(model.secondSpread, null, 'no per-second counts in the fixture');
  // Inside: the middle of each of the model's ranges, per-second counts of 1,000 attempts a second.
  const mid = (r: { p5: number; p95: number }): number => (r.p5 + r.p95) / 2;
  const perSecond = (shares: readonly number[]): number[][] => shares.map((x) => [Math.round(x * 1000), 1000 - Math.round(x * 1000)]);
  const share = mid(model.share.model);
  const inside = compareWithLab(
    slowOnly([
      base!,
      {
        ...p2c!,
        slowShare: share,
        latencyMs: { p50: 5, p99: mid(model.p99.model) },
        replicaAttemptsBySecond: perSecond([share, share, share + 0.001]),
      },
    ]),
    { spreadRuns: runs },
  )[1]!.spread!;
  // The same model, the same seeds: the same ranges.
  assert.deepEqual(inside.share.model, model.share.model);
  assert.equal(inside.share.verdict, 'inside model range');
  assert.equal(inside.p99.verdict, 'inside model range');
  assert.ok(inside.secondSpread !== null);
  const spread = inside.secondSpread.model;
  // below the model's p5 by more than two requests of a 1,000-request second
  assert.ok(spread.p5 > 0.001 + 2 / 1000, `the model's per-second share moves by ${JSON.stringify(spread)}`);
  assert.equal(inside.secondSpread.verdict, 'below', 'a lab share that barely moves second by second is below the model');
  // Outside: the lab's round-robin third, a 1 s p99, and a share that swings far more than the model's.
  const outside = compareWithLab(
    slowOnly([
      base!,
      { ...p2c!, slowShare: 1 / 3, latencyMs: { p50: 5, p99: 1000 }, replicaAttemptsBySecond: perSecond([0, 0.5, mid(spread)]) },
    ]),
    { spreadRuns: runs },
  )[1]!.spread!;
  assert.equal(outside.share.verdict, 'above');
  assert.equal(outside.p99.verdict, 'above');
  assert.equal(outside.secondSpread!.verdict, 'above');
  assert.deepEqual(outside.secondSpread!.labSeconds, [0, 0.5, Math.round(mid(spread) * 1000) / 1000]);
  // A share one request (of the fixture's 4,800) below the model's p5 is inside: a request at the
  // window's edge; three requests below is not.
  const edge = (requests: number) =>
    compareWithLab(slowOnly([base!, { ...p2c!, slowShare: model.share.model.p5 - requests / 4800 }]), { spreadRuns: runs })[1]!.spread!
      .share.verdict;
  assert.equal(edge(0.9), 'inside model range');
  assert.equal(edge(3), 'below');
  // And a per-second spread in the middle of the model's is inside.
  const middle = compareWithLab(slowOnly([base!, { ...p2c!, replicaAttemptsBySecond: perSecond([share, share + mid(spread)]) }]), {
    spreadRuns: runs,
  })[1]!.spread!;
  assert.equal(middle.secondSpread!.verdict, 'inside model range');
});

test("machine pauses given for a scenario enter each of its phases' model, and no other scenario's", () => {
  const pauses = { interval: { type: 'exponential', mean: 100 }, duration: { type: 'constant', value: 20 } } as const;
  const without = compareWithLab(lab, { spreadRuns: 0 });
  const withPauses = compareWithLab(lab, { spreadRuns: 0, machinePauses: new Map([['slow-replica', pauses]]) });
  // (the calibration to the baseline's p50 shifts the service times, so only a change is asserted)
  for (const i of [0, 1]) {
    assert.equal(withPauses[i]!.scenario, 'slow-replica');
    assert.notDeepEqual(withPauses[i]!.sim, without[i]!.sim, `${withPauses[i]!.phase}: the model changed`);
  }
  assert.deepEqual(withPauses.slice(2), without.slice(2), 'the stalls scenario is modelled as before');
});

/**
 * A per-replica lab run: two fast replicas (4–5 ms) that pause 20 ms every 200 ms on average, a slow
 * one (39–41 ms) that never pauses, a quiet client; round-robin, then P2C.
 */
function pausedFleetRun(): LabJson {
  const fastPaused = pausedServerCdf(4, 5, 20, 200);
  const withReplicas = (p: ReturnType<typeof phase>) => ({
    ...p,
    replicaCdf: [cdf((q) => uniform(39, 41, q)), fastPaused, fastPaused],
    clientLoopDelay: loopDelay(0.002, 2),
  });
  return {
    ...lab,
    scenarios: [
      {
        name: 'slow-replica',
        phases: [
          withReplicas(phase('round-robin', 'baseline', slowCdf, 5.5, 43.9)),
          withReplicas(phase('p2c + peak-ewma', 'treatment', slowCdf, 5, 6)),
        ],
      },
    ],
  };
}

test("the model without the replicas' tails keeps each body and drops the pauses: a fast replica's spikes give the slow one its share", () => {
  // The fast replicas' spikes are what sends P2C to the slow one: without them (their bodies
  // only) it gets far less.
  const run = pausedFleetRun();
  const [base, treat] = compareWithLab(run, { spreadRuns: 0 });
  assert.ok(base!.simWithoutTails !== null && treat!.simWithoutTails !== null);
  // deterministic (seeded): 9.3% with the pauses against 3.9% without; equal if the bodies kept them
  assert.ok(
    treat!.sim.slowShare > 1.5 * treat!.simWithoutTails.slowShare,
    `share to the slow replica: with the pauses ${treat!.sim.slowShare}, without ${treat!.simWithoutTails.slowShare}`,
  );
  assert.ok(base!.simWithoutTails.slowShare > 0.33, 'round-robin still sends each replica a third');
  // the mixed-CDF model has no per-replica bodies to keep
  assert.equal(compareWithLab(run, { mixedCdf: true, spreadRuns: 0 })[1]!.simWithoutTails, null);
});

test("a later phase's replica pauses follow its replicas' recorded stall time: half of it, half the pause time; none, no pauses", () => {
  const fitted = { interval: { type: 'exponential', mean: 95 }, duration: { type: 'empirical', buckets: [[5, 1]] } } as const;
  // 5 ms every 100 ms: 5% of the time; at half, 2.5%: a gap of 195 ms, the lengths unchanged
  assert.deepEqual(pausesAtShare(fitted, 0.5), { interval: { type: 'exponential', mean: 195 }, duration: fitted.duration });
  assert.equal(pausesAtShare(fitted, 0), undefined);
  assert.equal(Number((pausesAtShare(fitted, 100)!.interval as { mean: number }).mean), 5, 'held at half the time');

  const run = pausedFleetRun();
  const stalls = (p2c: number[]) =>
    new Map([
      [
        'slow-replica',
        new Map([
          ['round-robin', [0.01, 0.02, 0.02]],
          ['p2c + peak-ewma', p2c],
        ]),
      ],
    ]);
  const plain = compareWithLab(run, { spreadRuns: 0 })[1]!;
  const same = compareWithLab(run, { spreadRuns: 0, replicaStalls: stalls([0.01, 0.02, 0.02]) })[1]!;
  const half = compareWithLab(run, { spreadRuns: 0, replicaStalls: stalls([0.01, 0.01, 0.01]) })[1]!;
  const none = compareWithLab(run, { spreadRuns: 0, replicaStalls: stalls([0, 0, 0]) })[1]!;
  assert.equal(plain.replicaPauseScale, null);
  assert.deepEqual(same.replicaPauseScale, [1, 1, 1]);
  assert.deepEqual(half.replicaPauseScale, [1, 0.5, 0.5]);
  // deterministic (seeded): the same stall time changes nothing; half of it, less to the slow replica
  assert.deepEqual(same.sim, plain.sim);
  assert.ok(half.sim.slowShare < 0.85 * plain.sim.slowShare, `half the pauses ${half.sim.slowShare}, all ${plain.sim.slowShare}`);
  // no recorded stall at any replica: their bodies only, as the model without the tails
  const figures = ({ p50, p99, slowShare }: { p50: number; p99: number; slowShare: number }) => ({ p50, p99, slowShare });
  assert.deepEqual(figures(none.sim), figures(none.simWithoutTails!));
  // the baseline row is never rescaled
  assert.equal(compareWithLab(run, { spreadRuns: 0, replicaStalls: stalls([0.01, 0.01, 0.01]) })[0]!.replicaPauseScale, null);
});

/** The treatment's recorded stalls at each of the three replicas, as `sim-vs-lab --picks` hands them over. */
const lagsOf = (lags: [number, number][][]) => new Map([['slow-replica', new Map([['p2c + peak-ewma', lags]])]]);

test("with the replicas' recorded stalls a treatment is also run with them replayed where they happened, on the replicas' bodies", () => {
  const run = (lags: [number, number][][] | undefined): ReturnType<typeof compareWithLab> =>
    fastReplicaRows(2, lags === undefined ? {} : { replicaLags: lagsOf(lags) });
  const [base, plain] = run(undefined);
  assert.equal(base!.simReplayed, null);
  assert.equal(plain!.simReplayed, null, 'no records, no replay');
  const [, none] = run([[], [], []]);
  assert.ok(none!.simReplayed !== null && none!.simReplayed.p99 < 7, `bodies alone: p99 ${none!.simReplayed?.p99}`);
  // every replica stalls 30 ms together every 400 ms: a tenth of the calls wait up to 30 ms more
  const together = Array.from({ length: 20 }, (_, k): [number, number] => [400 * k, 30]);
  const [, stalled] = run([together, together, together]);
  assert.ok(stalled!.simReplayed!.p99 > 20, `replayed stalls: p99 ${stalled!.simReplayed!.p99}`);
  assert.equal(stalled!.sim.p99, plain!.sim.p99, 'the model itself is unchanged');
  assert.equal(stalled!.simReplayed!.clientStalls, 'loop delay', "without the client's records its stalls are drawn");
});

test("with the machine's speed over the windows, the replay slows every replica where the treatment's window was slow, on bodies at the baseline's steady speed", () => {
  const run = (speed: ReadonlyMap<string, WindowSpeed> | undefined): ReturnType<typeof compareWithLab>[number] =>
    fastReplicaRows(2, {
      replicaLags: lagsOf([[], [], []]),
      ...(speed === undefined ? {} : { speed: new Map([['slow-replica', speed]]) }),
    })[1]!;
  // the window, 8 s, in 400 bins
  const flat = { binMs: 20, factors: Array.from({ length: 400 }, () => 1) };
  const steady = (ratio: number) => Array.from({ length: 3 }, () => [[1, ratio] as const, [99, ratio] as const]);
  const windows = (treatment: typeof flat, ratio = 1): ReadonlyMap<string, WindowSpeed> =>
    new Map([
      ['round-robin', { timeline: flat, steady: steady(ratio) }],
      ['p2c + peak-ewma', { timeline: treatment, steady: steady(1) }],
    ]);
  const none = run(undefined);
  assert.equal(none.simReplayed!.speed, false);
  // a steady machine and steady bodies: the replay of the bodies alone
  const steadyRun = run(windows(flat));
  assert.equal(steadyRun.simReplayed!.speed, true);
  assert.ok(
    Math.abs(steadyRun.simReplayed!.p99 - none.simReplayed!.p99) < 0.3,
    `${steadyRun.simReplayed!.p99} vs ${none.simReplayed!.p99}`,
  );
  // the treatment's window three times as slow for 60 ms of every 2 s: its p99 rises, the model's does not move
  const slowed = run(windows({ binMs: 20, factors: Array.from({ length: 400 }, (_, b) => (b % 100 < 3 ? 3 : 1)) }));
  assert.ok(slowed.simReplayed!.p99 > steadyRun.simReplayed!.p99 + 3, `${slowed.simReplayed!.p99} vs ${steadyRun.simReplayed!.p99}`);
  assert.equal(slowed.sim.p99, none.sim.p99);
  // bodies narrowed to the baseline's steady speed (every quantile 0.8×): faster
  const narrowed = run(windows(flat, 0.8));
  assert.ok(narrowed.simReplayed!.p50 < 0.85 * steadyRun.simReplayed!.p50, `${narrowed.simReplayed!.p50} vs ${steadyRun.simReplayed!.p50}`);
});

test("the drawn-speed prediction slows every replica by the baseline window's speed, drawn in blocks, and never reads the treatment's", () => {
  const run = (speed: ReadonlyMap<string, WindowSpeed> | undefined): ReturnType<typeof compareWithLab> =>
    fastReplicaRows(2, speed === undefined ? {} : { speed: new Map([['slow-replica', speed]]) });
  const flat = { binMs: 20, factors: Array.from({ length: 400 }, () => 1) };
  // three times as slow for 60 ms of every 2 s
  const slow = { binMs: 20, factors: Array.from({ length: 400 }, (_, b) => (b % 100 < 3 ? 3 : 1)) };
  const steady = Array.from({ length: 3 }, () => [[1, 1] as const, [99, 1] as const]);
  const windows = (baseline: typeof flat, treatment: typeof flat): ReadonlyMap<string, WindowSpeed> =>
    new Map([
      ['round-robin', { timeline: baseline, steady }],
      ['p2c + peak-ewma', { timeline: treatment, steady }],
    ]);
  const [base, none] = run(undefined);
  assert.equal(base!.simDrawnSpeed, null);
  assert.equal(none!.simDrawnSpeed, null, 'no speed, no prediction');
  const [baseRow, steadyRun] = run(windows(flat, flat));
  assert.equal(baseRow!.simDrawnSpeed, null, 'a baseline predicts nothing');
  // a steady baseline and bodies kept as they are: the model itself
  assert.deepEqual(steadyRun!.simDrawnSpeed, { p50: steadyRun!.sim.p50, p99: steadyRun!.sim.p99, slowShare: steadyRun!.sim.slowShare });
  // the treatment's window slow, the baseline's steady: the prediction does not move
  assert.deepEqual(run(windows(flat, slow))[1]!.simDrawnSpeed, steadyRun!.simDrawnSpeed);
  // the baseline's window slow: the prediction's p99 rises, the model's does not move
  const slowed = run(windows(slow, flat))[1]!;
  assert.ok(
    slowed.simDrawnSpeed!.p99 > steadyRun!.simDrawnSpeed!.p99 + 3,
    `${slowed.simDrawnSpeed!.p99} vs ${steadyRun!.simDrawnSpeed!.p99}`,
  );
  assert.equal(slowed.sim.p99, steadyRun!.sim.p99);
});

test('a CDF at a steady speed: each point scaled by the ratio at its percentile, linear between them, never falling', () => {
  const c = [
    { percentile: 0, ms: 1 },
    { percentile: 50, ms: 2 },
    { percentile: 100, ms: 10 },
  ];
  assert.deepEqual(
    atSteadySpeed(c, [
      [25, 1],
      [75, 0.5],
    ]),
    [
      { percentile: 0, ms: 1 },
      { percentile: 50, ms: 1.5 },
      { percentile: 100, ms: 5 },
    ],
  );
  assert.deepEqual(atSteadySpeed(c, []), c);
  assert.deepEqual(
    atSteadySpeed(c, [
      [0, 2],
      [50, 0.1],
    ]).map((p) => p.ms),
    [2, 2, 2],
  );
});

test("with the client's recorded stalls too, the replay stalls the client where they happened instead of drawing its stalls", () => {
  const run = (client: [number, number][]): ReturnType<typeof compareWithLab>[number] =>
    fastReplicaRows(20, {
      replicaLags: lagsOf([[], [], []]),
      clientLags: new Map([['slow-replica', new Map([['p2c + peak-ewma', client]])]]),
    })[1]!;
  // an empty record: no client stall at all, where the loop delay's drawn stalls (20 ms, 4% of the time) lift the model's p99
  const quiet = run([]);
  assert.equal(quiet.simReplayed!.clientStalls, 'recorded');
  assert.ok(quiet.simReplayed!.p99 < 8, `no client stall: p99 ${quiet.simReplayed!.p99}`);
  assert.ok(quiet.sim.p99 > 15, `the model's drawn client stalls: p99 ${quiet.sim.p99}`);
  // the client stalls 30 ms every 400 ms: a tenth of the calls wait up to 30 ms more
  const stalled = run(Array.from({ length: 20 }, (_, k): [number, number] => [400 * k, 30]));
  assert.ok(stalled.simReplayed!.p99 > 20, `replayed client stalls: p99 ${stalled.simReplayed!.p99}`);
  assert.equal(stalled.sim.p99, quiet.sim.p99, 'the model itself is unchanged');
});
