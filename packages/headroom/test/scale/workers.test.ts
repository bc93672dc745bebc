/**
 * A load plan on worker threads: the load split evenly, the threads' histograms merged exactly
 * (equal to one histogram of every sample), and a thread that dies reported rather than dropped.
 * Real threads, a real local HTTP server; nothing here asserts a speed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError, LatencyHistogram, SeededRandom } from '../../src/index.js';
import {
  arrivalOffsets,
  decodeLoadResult,
  encodeLoadResult,
  mergeLoadResults,
  runLoadWorkers,
  splitPlan,
  TimelineMerger,
  type ArrivalSchedule,
  type LoadPlan,
  type LoadResult,
  type TimelineRow,
} from '../../src/scale/index.js';
import { startCountingServer, type CountingServer } from '@headroom/testkit/counting-server';

let server: CountingServer;
let url = '';

before(async () => {
  server = await startCountingServer();
  url = server.url;
});
after(async () => {
  await server.close();
});

test('a plan is split evenly: concurrency by whole users, every rate of a schedule (ramps too) in equal parts', () => {
  const closed = (concurrency: number): LoadPlan => ({ url, load: { kind: 'closed', concurrency, duration: '1s' } });
  assert.deepEqual(
    splitPlan(closed(5), 2).map((p) => (p.load.kind === 'closed' ? p.load.concurrency : 0)),
    [3, 2],
  );
  assert.equal(splitPlan(closed(1), 3).length, 1, 'no thread without a user');
  const open: LoadPlan = {
    url,
    load: {
      kind: 'open',
      schedule: {
        arrivals: 'constant',
        steps: [
          { ratePerSec: 300, duration: '1s' },
          { ratePerSec: 30, toRatePerSec: 600, duration: '2s' },
        ],
      },
    },
  };
  assert.deepEqual(
    splitPlan(open, 3).map((p) => (p.load.kind === 'open' ? p.load.schedule.steps : [])),
    Array.from({ length: 3 }, () => [
      { ratePerSec: 100, duration: '1s' },
      { ratePerSec: 10, toRatePerSec: 200, duration: '2s' },
    ]),
  );
});

test('open-loop shares are staggered: their send times interleave into exactly the whole schedule, not 3 at once', () => {
  const schedule: ArrivalSchedule = {
    arrivals: 'constant',
    steps: [
      { ratePerSec: 300, duration: '1s' },
      { ratePerSec: 30, toRatePerSec: 600, duration: '2s' },
    ],
  };
  const random = new SeededRandom(1);
  for (const whole of [schedule, { ...schedule, phase: 0.5 }]) {
    const shares = splitPlan({ url, load: { kind: 'open', schedule: whole } }, 3).map((p) =>
      p.load.kind === 'open' ? p.load.schedule : whole,
    );
    assert.deepEqual(
      shares.map((s) => s.phase ?? 0),
      [0, 1, 2].map((i) => ((whole.phase ?? 0) + i) / 3),
    );
    const expected = [...arrivalOffsets(whole, { random })];
    const interleaved = shares.flatMap((s) => [...arrivalOffsets(s, { random })]).sort((a, b) => a - b);
    assert.equal(interleaved.length, expected.length, `phase ${whole.phase ?? 0}`);
    for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(interleaved[i]! - expected[i]!) < 1e-6, `arrival ${i}`);
    // No two shares send at the same time: the first three arrivals are 1/300 s apart.
    assert.deepEqual(
      interleaved.slice(0, 3).map((t) => Math.round(t * 1000) / 1000),
      [0, 1, 2].map((k) => Math.round(((k + (whole.phase ?? 0)) / 0.3) * 1000) / 1000),
    );
  }
  assert.throws(
    () => [...arrivalOffsets({ ...schedule, phase: 1 }, { random })],
    (e: unknown) => isHeadroomError(e, 'HR_SCALE_INVALID_OPTION') && /schedule\.phase/.test((e as Error).message),
  );
});

function result(latency: LatencyHistogram, sent: number): LoadResult {
  return {
    url,
    load: { kind: 'closed', concurrency: 1, duration: 1000 },
    durationMs: 1000,
    sent,
    ok: latency.count,
    failures: sent > latency.count ? { http_500: sent - latency.count } : {},
    throughputPerSec: latency.count,
    errorRate: (sent - latency.count) / sent,
    latency,
    eventLoopDelayMs: { p99: 1, max: 2 },
    sendLagP99Ms: null,
    warnings: [],
    timeline: [],
  };
}

test('merged histograms, through their wire form, equal one histogram of every sample', () => {
  const random = new SeededRandom(16);
  const all = new LatencyHistogram();
  const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
  for (let i = 0; i < 30_000; i++) {
    const ms = -Math.log(1 - random.next()) * (1 + (i % 3) * 20); // three workers, three latency scales
    all.record(ms);
    parts[i % 3]!.record(ms);
  }
  const outcomes = parts.map((h, index) => ({
    index,
    name: `thread ${index}`,
    load: { kind: 'closed' as const, concurrency: 1, duration: 1000 },
    result: decodeLoadResult(JSON.parse(JSON.stringify(encodeLoadResult(result(h, h.count + index)))) as never),
    lost: null,
  }));
  const merged = mergeLoadResults({ url, load: { kind: 'closed', concurrency: 3, duration: 1000 } }, outcomes, []);
  assert.equal(merged.latency.count, all.count);
  for (const p of [0, 50, 90, 99, 99.9, 99.99, 100]) assert.equal(merged.latency.percentile(p), all.percentile(p), `p${p}`);
  assert.equal(merged.sent, all.count + 3);
  assert.deepEqual(merged.failures, { http_500: 3 });
});

test('the live rows merge by second, waiting only for the workers still running, their percentiles from the merged histograms', () => {
  const row = (tSec: number, okPerSec: number, p50Ms: number, p99Ms: number): TimelineRow => ({
    tSec,
    sentPerSec: okPerSec,
    completedPerSec: okPerSec,
    okPerSec,
    errors: 0,
    p50Ms,
    p99Ms,
    inFlight: 1,
  });
  const histogram = (values: readonly number[]): LatencyHistogram => {
    const h = new LatencyHistogram();
    for (const v of values) h.record(v);
    return h;
  };
  // Second 1: a fast worker (100 successes at 1 ms) and a slow one (2 at 90 ms). The worst worker's
  // p50 would be 90 ms; of all 102 successes it is 1 ms, and the p99 is the slow ones'.
  const fast = Array.from({ length: 100 }, () => 1);
  const slow = [90, 90];
  const all = histogram([...fast, ...slow]);
  const merger = new TimelineMerger(2);
  assert.equal(merger.add(row(1.0, 100, 1, 1), histogram(fast)), null);
  const second1 = merger.add(row(1.1, 2, 90, 90), histogram(slow));
  assert.deepEqual(second1, { ...row(1.1, 102, all.percentile(50), all.percentile(99)), inFlight: 2 });
  assert.equal(second1?.p50Ms, histogram([1]).percentile(50));
  assert.equal(merger.add(row(2.0, 100, 5, 5), histogram([5])), null);
  merger.lose(); // the other worker died: second 3 no longer waits for it
  assert.equal(merger.add(row(3.0, 100, 4, 4), histogram([4]))?.okPerSec, 100);
  assert.deepEqual(
    merger.rows().map((r) => [r.okPerSec, r.p99Ms]),
    [
      [102, all.percentile(99)],
      [100, histogram([5]).percentile(99)],
      [100, histogram([4]).percentile(99)],
    ],
  );
});

test('two threads: the merged histogram holds every success of both, and the counts add up to what the server served', async () => {
  const servedBefore = server.served;
  const rows: TimelineRow[] = [];
  const r = await runLoadWorkers(
    { url, load: { kind: 'closed', concurrency: 4, duration: 1500 } },
    { workers: 2, onProgress: (row) => rows.push(row) },
  );
  assert.deepEqual(
    r.workers.map((w) => w.lost),
    [null, null],
  );
  assert.ok(r.ok > 0);
  assert.equal(r.latency.count, r.ok, 'merged histogram = all successes');
  assert.equal(
    r.workers.reduce((s, w) => s + w.ok, 0),
    r.ok,
  );
  assert.equal(r.ok, server.served - servedBefore, 'every request the server answered is counted once');
  assert.ok(rows.length >= 1, 'a merged progress row each second');
});

test('a thread killed mid-run is reported, with its share missing, not silently dropped', async () => {
  const r = await runLoadWorkers(
    { url, load: { kind: 'closed', concurrency: 2, duration: 2000 } },
    { workers: 2, onStarted: (pool) => setTimeout(() => pool.terminate(1), 300) },
  );
  assert.equal(r.workers[0]!.lost, null);
  assert.match(r.workers[1]!.lost ?? '', /thread 1 exited \(code 1\) before reporting/);
  assert.ok(r.warnings.some((w) => /thread 1 exited .*missing from these figures/.test(w)));
  assert.equal(r.latency.count, r.workers[0]!.ok);
});
