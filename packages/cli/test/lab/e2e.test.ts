/**
 * End to end: a short real tour through the CLI (replica processes, SQLite, load, every scenario),
 * then the numbers in its JSON checked for coherence, then its HTML report opened in headless
 * Chromium with every chart found drawn. One tour serves both, to keep the suite fast.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReport } from '../report-browser.js';
import type { LabReport, PhaseResult, ScenarioResult } from '../../src/lab/report/types.js';
import { LAG_WARN_MS } from '../../src/lab/report/terminal.js';
import { commandArgs, shareCompileCache } from '../command.js';

const SCENARIOS = ['cache', 'hot-key', 'slow-replica', 'stalls', 'overload'];
let work = '';
let labTmp = '';
let reportPath = '';
let report: LabReport;
let exitCode: number | null = null;
let stderr = '';

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'headroom-lab-e2e-'));
  labTmp = join(work, 'tmp');
  reportPath = join(work, 'report.html');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(labTmp);
  shareCompileCache(labTmp);
  const child = spawn(
    process.execPath,
    commandArgs(
      'lab',
      '--duration',
      '1200ms',
      '--warmup',
      '300ms',
      '--interval',
      '250ms',
      '--products',
      '20000',
      '--json',
      '--report',
      reportPath,
    ),
    { env: { ...process.env, TMPDIR: labTmp } },
  );
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(exitCode, 0, stderr);
  report = JSON.parse(stdout) as LabReport;
});

after(() => rmSync(work, { recursive: true, force: true }));

function scenario(name: string): { s: ScenarioResult; base: PhaseResult; treat: PhaseResult } {
  const s = report.scenarios.find((x) => x.name === name)!;
  return { s, base: s.phases[0]!, treat: s.phases[1]! };
}

test('the tour ran every scenario, printed progress, and left no temporary file behind', () => {
  assert.deepEqual(
    report.scenarios.map((s) => s.name),
    SCENARIOS,
  );
  assert.equal(report.settings.store, 'sqlite');
  // the host probe timed its fixed work before and after the phases
  for (const p of [report.environment.hostProbe!.start, report.environment.hostProbe!.end])
    assert.ok(p.cpuMs > 0 && p.wallMs > 0, JSON.stringify(report.environment.hostProbe));
  // the run's first phase warms up 4× --warmup (300 ms): the fleet's cold start (load/cold-start.ts)
  assert.equal(report.settings.firstPhaseWarmupMs, 1200);
  assert.match(stderr, /seeded 20,000 products into sqlite/);
  assert.match(stderr, /3 replicas listening on 127\.0\.0\.1:\d+ \(pid \d+\)/);
  // Only tsx's compile cache (tsx-<uid>, present when running from TypeScript sources) may remain.
  assert.deepEqual(
    readdirSync(labTmp).filter((name) => !name.startsWith('tsx-')),
    [],
    'the SQLite folder was removed',
  );
  assert.ok(existsSync(reportPath));
});

/**
 * Requests that can be in flight at one edge of a phase's window: those sent within its slowest
 * success of the edge. Counts over the window (goodput, store queries) may differ from counts of
 * the window's own requests by that much — on a busy machine, where a stall holds hundreds of
 * requests at the edge, by far more than on an idle one.
 */
function edge(p: PhaseResult): number {
  return p.offeredPerSec * (p.latencyMs.max / 1000);
}

/** Share of a phase's successes at or above `ms`, from its CDF (the grid is fine enough near p99: 99, 99.21, 99.37…). */
function shareAtOrAbove(p: PhaseResult, ms: number): number {
  const first = p.cdf.find((c) => c.ms >= ms);
  return first === undefined ? 0 : (100 - first.percentile) / 100;
}

/** Store queries per request the replicas received: robust to how many requests the window held. */
function queriesPerRequest(p: PhaseResult): number {
  return p.storeQueries / p.replicaRequests.reduce((a, b) => a + b, 0);
}

test('every phase is internally coherent', () => {
  for (const s of report.scenarios) {
    assert.equal(s.phases.length, s.name === 'cache' ? 4 : 2);
    for (const p of s.phases) {
      const where = `${s.name}/${p.label}`;
      const errors = p.errors.timeout + p.errors.shed + p.errors.http + p.errors.network;
      assert.ok(p.sent > 0, `${where}: sent ${p.sent}`);
      assert.equal(p.ok + errors, p.sent, `${where}: every request sent was accounted for`);
      assert.equal(p.offeredPerSec, Math.round((p.sent / 1.2) * 10) / 10, `${where}: offered ${p.offeredPerSec}/s for ${p.sent} sent`);
      // Goodput counts successes arriving in the window; away from overload that is the window's
      // own successes, give or take those in flight at either edge.
      if (s.name !== 'overload') {
        assert.ok(
          Math.abs(p.okPerSec * 1.2 - p.ok) <= edge(p) + 0.02 * p.ok + 5,
          `${where}: ${p.okPerSec} ok/s vs ${p.ok} ok (edge ${edge(p).toFixed(0)})`,
        );
      }
      assert.ok(p.answeredPerSec >= p.okPerSec, `${where}: every success is an answer`);
      assert.ok(p.storeUtilization >= 0 && p.storeUtilization <= 1.05, `${where}: store at ${p.storeUtilization} of its capacity`);
      const l = p.latencyMs;
      // HDR percentiles report the top of their bucket (within 0.1%), so p99.9 may pass the exact max by that much.
      if (p.ok > 0)
        assert.ok(l.min <= l.p50 && l.p50 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max * 1.001 + 0.002, `${where}: ${JSON.stringify(l)}`);
      // One point per whole 250 ms interval of the 1.2 s window at least; the fifth, for the last
      // part-interval, is cut only when that part spans half an interval once late timers are counted.
      // A generator whose own event loop stalled for an interval or more (load 20 with CPU hogs: its
      // first point at 1.6 s) cannot cut on time; its lag says so, and one point is the least then.
      const points = p.generatorLagMs.max < 250 ? 4 : 1;
      assert.ok(
        p.timeline.length >= points,
        `${where}: timeline ${JSON.stringify(p.timeline.map((t) => t.tSec))}, generator lag ≤ ${p.generatorLagMs.max} ms`,
      );
      for (let i = 1; i < p.cdf.length; i++) assert.ok(p.cdf[i]!.ms >= p.cdf[i - 1]!.ms, `${where}: CDF rises`);
      assert.equal(p.replicaRequests.length, 3);
      assert.ok(p.storeQueries >= 0 && p.storeQps >= 0);
      // Store load is a real count from the replicas: without a cache every read is a query (give or
      // take the requests still stalled or queued at either edge of the window).
      if (p.hitRatio === null && s.name !== 'overload') {
        const requests = p.replicaRequests.reduce((a, b) => a + b, 0);
        assert.ok(
          Math.abs(p.storeQueries - requests) <= edge(p) + p.errors.timeout + 0.02 * requests + 5,
          `${where}: ${p.storeQueries} queries for ${requests} requests (edge ${edge(p).toFixed(0)})`,
        );
      }
    }
    // Every phase of a scenario sees the same seeded load.
    for (const p of s.phases) assert.equal(p.sent, s.phases[0]!.sent, `${s.name}/${p.label}: same arrivals`);
    assert.ok(s.verdict.length > 0);
  }
});

test("each phase records each replica as the client saw it, and the client's own event-loop delay", () => {
  const rising = (cdf: readonly { percentile: number; ms: number }[], where: string): void => {
    assert.equal(cdf[0]!.percentile, 0, where);
    assert.equal(cdf.at(-1)!.percentile, 100, where);
    for (let i = 1; i < cdf.length; i++)
      assert.ok(cdf[i]!.percentile > cdf[i - 1]!.percentile && cdf[i]!.ms >= cdf[i - 1]!.ms, `${where}: CDF rises`);
  };
  for (const s of report.scenarios) {
    for (const p of s.phases) {
      const where = `${s.name}/${p.label}`;
      assert.equal(p.replicaCdf.length, 3, where);
      // A replica that answered in the window has a CDF, one that got nothing has none.
      p.replicaCdf.forEach((c, i) => {
        if (p.replicaRequests[i]! > 0 && p.ok > 0) rising(c, `${where} replica ${i}`);
        else assert.deepEqual(c, [], `${where} replica ${i}: no request`);
      });
      // Each second of the window counts its successful attempts per replica; together, every one of them.
      const bySecond = p.replicaAttemptsBySecond;
      assert.equal(bySecond.length, Math.ceil(p.durationMs / 1000), where);
      assert.ok(
        bySecond.every((row) => row.length === 3),
        where,
      );
      const attempts = bySecond.flat().reduce((a, b) => a + b, 0);
      assert.ok(attempts >= p.ok, `${where}: ${attempts} attempts counted per second for ${p.ok} successes`);
      const l = p.clientLoopDelay;
      assert.equal(l.resolutionMs, 1);
      // Sampled every ms (less while stalled) from the window's start until its last request finished.
      assert.ok(l.samples > 0 && l.spanMs >= p.durationMs * 0.95, `${where}: ${l.samples} samples over ${l.spanMs} ms`);
      assert.ok(0 <= l.p50 && l.p50 <= l.p99 && l.p99 <= l.max + 0.002, `${where}: loop delay ${JSON.stringify(l)}`);
      rising(l.cdf, `${where} loop delay`);
    }
  }
  // Replica 0's store round trip is 40 ms in slow-replica, the others' 4 ms: what the client saw of each says so.
  const slow = scenario('slow-replica').base;
  const [slowP50, ...fastP50] = slow.replicaCdf.map((c) => c.find((x) => x.percentile >= 50)!.ms);
  assert.ok(slowP50! >= 30 && fastP50.every((f) => f < slowP50!), `replica p50s ${slowP50} vs ${fastP50.join(', ')}`);
});

test('each technique moves its own figure the right way', (t) => {
  // Within the run, and per request rather than per second wherever a busy machine could change
  // how many requests a 1.2 s window holds; each bound below says which claim of docs/lab.md it checks.
  const [noCache, cold, warm, affinity] = report.scenarios.find((x) => x.name === 'cache')!.phases;
  assert.equal(noCache!.hitRatio, null);
  assert.ok(cold!.hitRatio! > 0.2, `hit ratio ${cold!.hitRatio}`);
  assert.ok(queriesPerRequest(cold!) < 0.8, `cold cache: ${queriesPerRequest(cold!).toFixed(3)} store queries per request`);
  // Warmed to steady state, the same cache takes far more off the store, and the window sees what
  // the end of the replay reached (72% here at 20,000 products; the window holds ~700 reads).
  const replay = warm!.steadyWarmup!;
  assert.equal(replay.replayedSec, 180);
  assert.equal(replay.hitRatioByBlock.length, 9);
  assert.equal(replay.failed, 0, replay.error ?? '');
  const tail = (w: PhaseResult): number => w.steadyWarmup!.hitRatioByBlock.slice(-3).reduce((a, b) => a + b, 0) / 3;
  assert.ok(warm!.hitRatio! > cold!.hitRatio! + 0.2, `hit ratio cold ${cold!.hitRatio} → warm ${warm!.hitRatio}`);
  assert.ok(Math.abs(warm!.hitRatio! - tail(warm!)) < 0.05, `warm window ${warm!.hitRatio} vs end of its replay ${tail(warm!).toFixed(4)}`);
  assert.ok(
    queriesPerRequest(warm!) < queriesPerRequest(cold!) * 0.7,
    `store queries per request cold ${queriesPerRequest(cold!).toFixed(3)} → warm ${queriesPerRequest(warm!).toFixed(3)}`,
  );
  // Key affinity: each product is cached on its home replica, which sees it three times as often.
  // The replay routes every product home (tens of thousands of reads: a steady figure); live, the
  // bounded-load ring sends some away from a busy home, so the window gains less.
  assert.ok(
    tail(affinity!) > tail(warm!) + 0.05,
    `replayed hit ratio ${tail(warm!).toFixed(4)} → ${tail(affinity!).toFixed(4)} with affinity`,
  );
  assert.ok(affinity!.hitRatio! > cold!.hitRatio!, `hit ratio cold ${cold!.hitRatio} → warm with affinity ${affinity!.hitRatio}`);

  const hot = scenario('hot-key');
  assert.ok(hot.treat.hotKeyQueries < hot.base.hotKeyQueries, `hot-key queries ${hot.base.hotKeyQueries} → ${hot.treat.hotKeyQueries}`);

  const slow = scenario('slow-replica');
  // Round-robin sends replica 0 every third request; the replicas count the requests arriving in the
  // window, which may differ from those sent in it by the ones in flight at its edges (a third of them
  // replica 0's): a few on a quiet machine, hundreds when a busy one holds them (0.30 seen at load 20).
  const received = slow.base.replicaRequests.reduce((a, b) => a + b, 0);
  assert.ok(
    Math.abs(slow.base.slowShare - 1 / 3) < 0.03 + edge(slow.base) / 3 / received,
    `round-robin share ${slow.base.slowShare} (edge ${edge(slow.base).toFixed(0)} of ${received})`,
  );
  // Seconds-long phases leave peak-EWMA little history, and a busy machine's spikes on the fast
  // replicas make the slow one look competitive now and then: 2–16% seen in 1.2 s phases here. The
  // scenario's premise is a replica 10× slower than the others (40 ms vs 4 ms a query): when the
  // machine makes the fast ones as slow (median ≥ 20 ms, or the phase not keeping up; 25% seen at
  // load 20 with CPU hogs), P2C can only be asked to send the slow replica less than round-robin.
  if (slow.treat.machineLimit === null && slow.treat.latencyMs.p50 < 20) {
    assert.ok(slow.treat.slowShare < 0.2, `P2C share ${slow.treat.slowShare}`);
  } else {
    t.diagnostic(`P2C judged on direction only: p50 ${slow.treat.latencyMs.p50} ms; ${slow.treat.machineLimit ?? 'kept up'}`);
    assert.ok(slow.treat.slowShare < slow.base.slowShare, `P2C share ${slow.base.slowShare} → ${slow.treat.slowShare}`);
  }

  const stalls = scenario('stalls');
  assert.equal(stalls.base.extraRequestRatio, 0);
  assert.ok(stalls.treat.extraRequestRatio > 0 && stalls.treat.extraRequestRatio <= 0.06, `extra ${stalls.treat.extraRequestRatio}`);
  // Each hedge's loser is cancelled on the wire, and HTTP/1.1 cancels by closing the connection:
  // the client opens new ones (the window's pools started warm, so the baseline opens few or none).
  assert.ok(stalls.treat.connectionsOpened > 0, `connections opened while hedging: ${stalls.treat.connectionsOpened}`);
  for (const p of [stalls.base, stalls.treat]) assert.ok(p.clientCpuMs > 0, `${p.label}: client CPU ${p.clientCpuMs} ms`);
  // What hedging removes is the requests that sit out a 250 ms stall. A 1.2 s phase holds ~750
  // requests and ~8 stalls, so its p99.9 is its maximum, and on a busy machine its share of
  // successes at ≥ 240 ms counts the machine's own stalls too, which slow every request in flight
  // in either phase (seen at load 8: 1.00% → 6.31% with hedging). So the slow share only shows that
  // the stalls are in the baseline's tail, and hedging is judged on the stalls themselves, which
  // the replicas count: each is sat out by its caller, or abandoned (its hedge answered first).
  const slowBase = shareAtOrAbove(stalls.base, 240);
  assert.ok(
    stalls.base.stalledRequests > 0 && slowBase >= 0.005,
    `without hedging ${(slowBase * 100).toFixed(2)}% took ≥ 240 ms (${stalls.base.stalledRequests} stalls)`,
  );
  const outcomes = (p: PhaseResult): string =>
    `${p.stalledAbandoned} of ${p.stalledRequests} stalls abandoned, ${p.errors.timeout} timeouts`;
  // Without hedging only a passed deadline abandons a stall.
  assert.ok(stalls.base.stalledAbandoned <= stalls.base.errors.timeout, `without hedging: ${outcomes(stalls.base)}`);
  // A hedge can only beat a stall when it is sent well before the stall ends: the scenario's premise
  // (stalls ~100× the median) holds when the phase kept up and its p98, where hedges go out, is
  // under half the stall. Neither depends on whether hedging works; when a machine this busy breaks
  // the premise (seen at load 19: p50 180–550 ms), the technique cannot be judged, and saying so
  // beats a verdict on the machine.
  const p98 = stalls.treat.cdf.find((c) => c.percentile >= 98)?.ms ?? Infinity;
  if (stalls.treat.machineLimit !== null || p98 > 125) {
    t.diagnostic(`hedging not judged: the machine broke the scenario's premise (p98 ${p98} ms; ${stalls.treat.machineLimit ?? 'kept up'})`);
  } else {
    // At most a quarter of the stalls were still sat out (a timeout counts as a stall not rescued).
    const treat = stalls.treat;
    const notRescued = treat.stalledRequests - treat.stalledAbandoned + treat.errors.timeout;
    t.diagnostic(`hedging: ${outcomes(treat)} (p98 ${p98} ms)`);
    assert.ok(treat.stalledRequests > 0 && notRescued <= treat.stalledRequests / 4, `with hedging: ${outcomes(treat)} (p98 ${p98} ms)`);
  }

  const overload = scenario('overload');
  assert.equal(overload.base.shedByReplicas, 0);
  // A phase this short ends before the unlimited queue has made every request miss its deadline
  // (that takes ~1 s of overload per 1 s of timeout), so compare what it does show: without a
  // limiter requests wait until their deadline, with one the excess is turned away at once.
  assert.ok(
    overload.base.errors.timeout > 0.2 * overload.base.sent,
    `without a limiter ${overload.base.errors.timeout} of ${overload.base.sent} time out`,
  );
  assert.ok(
    overload.treat.shedByReplicas > 0.2 * overload.treat.sent,
    `the limiter shed ${overload.treat.shedByReplicas} of ${overload.treat.sent}`,
  );
  // The limiter's tail is the service's only while the machine keeps up with it: the lab flags a
  // phase it could not drive, and notes a generator that ran over LAG_WARN_MS late (its tail then
  // includes client-side delay; at load 20: 24 timeouts, p99 1003 → 1222 ms). Then only the
  // direction is asked: the limiter leaves fewer requests to time out.
  const tailHonest = [overload.base, overload.treat].every((p) => p.machineLimit === null && p.generatorLagMs.max <= LAG_WARN_MS);
  if (tailHonest) {
    assert.ok(overload.treat.errors.timeout <= 0.02 * overload.treat.sent, `with the limiter ${overload.treat.errors.timeout} time out`);
    assert.ok(
      overload.treat.latencyMs.p99 < 0.8 * overload.base.latencyMs.p99,
      `p99 ${overload.base.latencyMs.p99} → ${overload.treat.latencyMs.p99}`,
    );
  } else {
    t.diagnostic(
      `overload tail judged on direction only: ${overload.treat.machineLimit ?? `generator lag ≤ ${overload.treat.generatorLagMs.max} ms`}`,
    );
    assert.ok(
      overload.treat.errors.timeout < overload.base.errors.timeout,
      `timeouts ${overload.base.errors.timeout} → ${overload.treat.errors.timeout} with the limiter`,
    );
  }
  // The baseline's store runs saturated, so its goodput is the fleet's capacity on this machine in
  // this run: the limiter must keep serving a good part of it (docs/lab.md: 298 of 300 req/s).
  assert.ok(
    overload.treat.okPerSec >= 0.5 * overload.base.okPerSec,
    `goodput ${overload.base.okPerSec} → ${overload.treat.okPerSec} with the limiter`,
  );
});

test('the HTML report opens without a network and every chart is drawn (headless Chromium)', async () => {
  const { page, requests, pageErrors, close } = await openReport(reportPath, '__labCharts', "the lab's HTML report");
  try {
    const result = (await page.evaluate(`(() => {
      const canvases = [...document.querySelectorAll('canvas[data-chart]')];
      return {
        status: window.__labCharts,
        charts: canvases.map((c) => {
          const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let painted = 0;
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
          return { id: c.dataset.scenario + '/' + c.dataset.chart, attached: window.Chart.getChart(c) !== undefined, width: c.width, height: c.height, painted };
        }),
      };
    })()`)) as {
      status: { expected: number; rendered: number; errors: string[] };
      charts: { id: string; attached: boolean; width: number; height: number; painted: number }[];
    };
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(requests, [], 'the report fetched nothing from the network');
    assert.deepEqual(result.status.errors, []);
    assert.equal(result.status.expected, SCENARIOS.length * 4);
    assert.deepEqual(await page.$$eval('table', (tables) => tables.length), SCENARIOS.length);
    assert.equal(result.status.rendered, result.status.expected);
    for (const chart of result.charts) {
      assert.ok(chart.attached, `${chart.id}: Chart.js instance`);
      assert.ok(chart.width > 100 && chart.height > 100, `${chart.id}: ${chart.width}×${chart.height}`);
      // Axes, grid, legend and lines: a drawn chart paints a few percent of its pixels at least.
      assert.ok(chart.painted > chart.width * chart.height * 0.02, `${chart.id}: ${chart.painted} painted pixels`);
    }
  } finally {
    await close();
  }
});
