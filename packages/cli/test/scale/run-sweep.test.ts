/**
 * `headroom scale run` and `headroom scale sweep` against a real local HTTP server, run from the
 * sources: the table, thresholds and their exit code (99, as k6), the .hgrm and CSV files, and a
 * sweep's fit. Short runs; nothing here asserts a speed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandArgs } from '../command.js';

let work = '';
let server: Server;
let url = '';

function headroom(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Asynchronous: the server answering these requests runs in this process.
  return new Promise((resolve) => {
    const child = spawn(process.execPath, commandArgs(...args), { cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'headroom-scale-run-'));
  server = createServer((req, res) => {
    res.statusCode = req.url === '/fail' ? 500 : 200;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

test('scale run, closed loop: progress each second, the table, thresholds that pass, .hgrm and CSV timeline', async () => {
  const r = await headroom(
    'scale',
    'run',
    `${url}/`,
    '--concurrency',
    '2',
    '--duration',
    '1500ms',
    '--threshold',
    'p99<5s',
    '--threshold',
    'errors<1%',
    '--hgrm',
    'out.hgrm',
    '--csv',
    'out.csv',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^\[ {3}1s\] done .*\/s {2}ok .*p99 .* ms {2}errors {5}0 {2}in flight/m);
  assert.match(r.stdout, /closed loop, concurrency 2/);
  assert.match(r.stdout, /p99<5s\s+.* ms\s+pass\n.*errors<1%\s+0%\s+pass/);
  const hgrm = readFileSync(join(work, 'out.hgrm'), 'utf8');
  assert.match(hgrm, /^ {7}Value {5}Percentile TotalCount 1\/\(1-Percentile\)\n\n/);
  assert.match(hgrm, /#\[Max {5}= .*, Total count {4}= +\d+\]/);
  const csv = readFileSync(join(work, 'out.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 't_sec,sent_per_sec,completed_per_sec,ok_per_sec,errors,p50_ms,p99_ms,in_flight');
  assert.ok(csv.length >= 2);
});

test('scale run: a failed threshold exits 99; errors are named; open loop with --rate reports the send lag', async () => {
  const failing = await headroom(
    'scale',
    'run',
    `${url}/fail`,
    '--concurrency',
    '1',
    '--duration',
    '500ms',
    '--threshold',
    'errors<1%',
    '--json',
  );
  assert.equal(failing.status, 99, failing.stderr);
  const result = JSON.parse(failing.stdout) as { failures: Record<string, number>; thresholds: { passed: boolean; actual: number }[] };
  assert.ok((result.failures['http_500'] ?? 0) > 0);
  assert.deepEqual(
    result.thresholds.map((t) => [t.passed, t.actual]),
    [[false, 1]],
  );
  const open = await headroom('scale', 'run', `${url}/`, '--rate', '200', '--duration', '1s', '--json');
  assert.equal(open.status, 0, open.stderr);
  const o = JSON.parse(open.stdout) as { sent: number; load: { kind: string }; sendLagP99Ms: number };
  assert.equal(o.load.kind, 'open');
  assert.equal(o.sent, 200, 'the open loop sends its schedule whatever the answers');
  assert.ok(o.sendLagP99Ms >= 0);
  const bad = await headroom('scale', 'run', `${url}/`, '--threshold', 'p99 fast');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /Invalid option threshold: got "p99 fast"/);
});

test('scale run --rate: a ramp then a hold, on 2 threads, sends exactly the schedule and shows the rate sent each second', async () => {
  const r = await headroom('scale', 'run', `${url}/`, '--rate', '100..300', '--ramp', '1s', '--duration', '1s', '--workers', '2', '--json');
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout) as { sent: number; ok: number; workers: { sent: number; lost: string | null }[] };
  // Λ = (100 + 300)/2 × 1 s over the ramp, then 300 in the held second; each thread half of it.
  assert.equal(o.sent, 500);
  assert.deepEqual(
    o.workers.map((w) => [w.sent, w.lost]),
    [
      [250, null],
      [250, null],
    ],
  );
  assert.match(r.stderr, /^\[ {3}1s\] sent .*\/s {2}done .* \(2 threads, percentiles merged\)$/m);
  const steps = await headroom('scale', 'run', `${url}/`, '--rate', '50,100', '--duration', '500ms', '--json');
  assert.equal(steps.status, 0, steps.stderr);
  assert.equal((JSON.parse(steps.stdout) as { sent: number }).sent, 25 + 50);
  const bad = await headroom('scale', 'run', `${url}/`, '--rate', '100..fast');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /Invalid option --rate: got "100..fast".*ramp 100..2000/);
});

test('scale sweep --rates: latency against offered rate, the knee named in the table, the JSON and the HTML report', async () => {
  // A server with capacity for ~200 req/s: one request at a time, 5 ms each; 600 req/s is far past it.
  const slow = createServer((_req, res) => void queue.push(res));
  const queue: ServerResponse[] = [];
  let busy = false;
  const serve = (): void => {
    if (busy) return;
    const res = queue.shift();
    if (res === undefined) return;
    busy = true;
    setTimeout(() => {
      res.end('ok');
      busy = false;
      serve();
    }, 5);
  };
  const pump = setInterval(serve, 1);
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
  try {
    // 2 s per rate: a loaded machine's last answers arrive late, and the achieved rate counts until then.
    const r = await headroom('scale', 'sweep', slowUrl, '--rates', '20,600', '--duration', '2s', '--report', 'knee.html');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^20 .* holds$/m);
    assert.match(r.stdout, /^600 .* KNEE: latency, throughput$/m);
    assert.match(r.stdout, /Knee at 600\/s offered \(latency, throughput\); the highest rate that held is 20\/s\./);
    assert.match(r.stderr, /rate 20\/s: 2 s\n/);
    const html = readFileSync(join(work, 'knee.html'), 'utf8');
    assert.match(html, /Knee at 600\/s offered/);
    assert.match(html, /data-chart="latency"/);
  } finally {
    clearInterval(pump);
    slow.closeAllConnections();
    await new Promise<void>((resolve) => slow.close(() => resolve()));
  }
});

test('scale sweep: X(N) at each concurrency, fitted, as JSON with the runs and the fit', async () => {
  const r = await headroom('scale', 'sweep', `${url}/`, '--concurrency', '1,2,4', '--duration', '400ms', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    runs: { n: number; throughputPerSec: number }[];
    coefficients: { gamma: number };
    points: unknown[];
  };
  assert.deepEqual(
    out.runs.map((x) => x.n),
    [1, 2, 4],
  );
  assert.ok(out.runs.every((x) => x.throughputPerSec > 0));
  assert.equal(out.points.length, 3);
  assert.ok(out.coefficients.gamma > 0);
  assert.match(r.stderr, /concurrency 1: 0.4 s\n/);
});
