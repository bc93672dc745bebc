/**
 * `scale run --workers`: the load split over worker threads, their histograms merged exactly, and a
 * worker that dies reported rather than dropped. Real threads, a real local HTTP server.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runWorkerPool, splitMode } from '../../src/scale/worker-pool.js';

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

test('the load is split evenly: concurrency by whole users, rate in equal parts', () => {
  assert.deepEqual(splitMode({ kind: 'closed', concurrency: 5 }, 2), [
    { kind: 'closed', concurrency: 3 },
    { kind: 'closed', concurrency: 2 },
  ]);
  assert.deepEqual(splitMode({ kind: 'closed', concurrency: 1 }, 3), [{ kind: 'closed', concurrency: 1 }]);
  assert.deepEqual(
    splitMode({ kind: 'open', ratePerSec: 300 }, 3).map((m) => (m.kind === 'open' ? m.ratePerSec : 0)),
    [100, 100, 100],
  );
});

test('two workers: the merged histogram holds every success of both, and the counts add up to what the server served', async () => {
  served = 0;
  const r = await runWorkerPool({
    url,
    mode: { kind: 'closed', concurrency: 4 },
    durationMs: 1500,
    http: {},
    signal: new AbortController().signal,
    onLine: null,
    workers: 2,
  });
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
});

test('a worker killed mid-run is reported, with its share missing, not silently dropped', async () => {
  const r = await runWorkerPool({
    url,
    mode: { kind: 'closed', concurrency: 2 },
    durationMs: 2000,
    http: {},
    signal: new AbortController().signal,
    onLine: null,
    workers: 2,
    onStarted: (pool) => setTimeout(() => pool.terminate(1), 300),
  });
  assert.equal(r.workers[0]!.lost, null);
  assert.match(r.workers[1]!.lost ?? '', /worker 1 exited \(code 1\) before reporting/);
  assert.ok(r.warnings.some((w) => /worker 1 exited .*missing from these figures/.test(w)));
  assert.equal(r.latency.count, r.workers[0]!.ok);
});
