/**
 * A load plan on worker threads: the load split evenly, the threads' histograms merged exactly
 * (equal to one histogram of every sample), and a thread that dies reported rather than dropped.
 * Real threads, a real local HTTP server; nothing here asserts a speed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LatencyHistogram, SeededRandom } from '../../src/index.js';
import {
  decodeLoadResult,
  encodeLoadResult,
  mergeLoadResults,
  runLoadWorkers,
  splitPlan,
  TimelineMerger,
  type LoadPlan,
  type LoadResult,
  type TimelineRow,
} from '../../src/scale/index.js';

let server: Server;
let url = '';
let served = 0;

before(async () => {
  server = createServer((_req, res) => {
    served++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
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

test('the live rows merge by second, waiting only for the workers still running', () => {
  const row = (tSec: number, okPerSec: number, p99Ms: number): TimelineRow => ({
    tSec,
    sentPerSec: okPerSec,
    completedPerSec: okPerSec,
    okPerSec,
    errors: 0,
    p50Ms: 1,
    p99Ms,
    inFlight: 1,
  });
  const merger = new TimelineMerger(2);
  assert.equal(merger.add(row(1.0, 100, 5)), null);
  assert.deepEqual(merger.add(row(1.1, 50, 9)), { ...row(1.1, 150, 9), inFlight: 2 });
  assert.equal(merger.add(row(2.0, 100, 5)), null);
  merger.lose(); // the other worker died: second 3 no longer waits for it
  assert.equal(merger.add(row(3.0, 100, 4))?.okPerSec, 100);
  assert.deepEqual(
    merger.rows().map((r) => r.okPerSec),
    [150, 100, 100],
  );
});

test('two threads: the merged histogram holds every success of both, and the counts add up to what the server served', async () => {
  served = 0;
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
  assert.equal(r.ok, served, 'every request the server answered is counted once');
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
