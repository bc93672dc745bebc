import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LatencyHistogram, SeededRandom, VirtualClock, isHeadroomError, sleep } from 'headroom';
import { HttpTarget, classifyHttp, evaluateThresholds, parseThreshold, runClosedLoop } from 'headroom/scale';

test('closed loop on virtual time: N users, each waits for its answer; X(N) = N / service time', async () => {
  const clock = new VirtualClock();
  const run = runClosedLoop(() => sleep(clock, 10).then(() => 'done'), { concurrency: 4, duration: '1s', clock });
  await clock.runUntilIdle();
  const r = await run;
  assert.equal(r.sent, 400, '4 users × 100 requests of 10 ms in 1 s');
  assert.equal(r.ok, 400);
  assert.equal(r.throughputPerSec, 400);
  assert.ok(Math.abs(r.recorder.total().p50 - 10) <= 0.01, 'p50 is the 10 ms service time (HDR: 3 significant digits)');
});

test('closed loop hides a stall that open loop shows (coordinated omission): p99 stays at the service time', async () => {
  // The target answers in 1 ms, except that it stalls completely for 1 s every 10 s (at 9..10 s).
  const clock = new VirtualClock();
  const start = clock.now();
  const target = (): Promise<void> => {
    const t = (clock.now() - start) % 10_000;
    return sleep(clock, t >= 9_000 ? 10_000 - t + 1 : 1);
  };
  const run = runClosedLoop(target, { concurrency: 1, duration: '20s', clock });
  await clock.runUntilIdle();
  const r = await run;
  const total = r.recorder.total();
  // One user sends ~9000 requests per 10 s, and just one of them waits out each stall.
  assert.ok(total.p99 <= 1.01, `closed-loop p99 ${total.p99} ms`);
  assert.ok(total.max >= 999, `the stall is in the max only: ${total.max} ms`);
  // An open loop at any rate would have ~10% of its requests land in the stall: p99 ≈ 900 ms (see open-loop.test.ts).
});

test('closed loop: bad options are refused; the signal stops it early', async () => {
  assert.throws(
    () => runClosedLoop(() => Promise.resolve(), { concurrency: 0, duration: '1s' }),
    (e: unknown) => isHeadroomError(e, 'HR_SCALE_INVALID_OPTION'),
  );
  assert.throws(
    () => runClosedLoop(() => Promise.resolve(), { concurrency: 1, duration: 'soon' }),
    (e: unknown) => isHeadroomError(e, 'HR_CORE_INVALID_DURATION'),
  );
  const clock = new VirtualClock();
  const controller = new AbortController();
  const run = runClosedLoop(() => sleep(clock, 10), { concurrency: 2, duration: '10s', clock, signal: controller.signal });
  await clock.advanceBy(100);
  controller.abort();
  await clock.runUntilIdle();
  const r = await run;
  assert.ok(r.aborted && r.sent <= 22 && r.sent >= 20, `sent ${r.sent}`);
});

test('histograms encoded in one place and decoded in another merge to exactly the histogram of all samples', () => {
  const random = new SeededRandom(7);
  const all = new LatencyHistogram();
  const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
  for (let i = 0; i < 20_000; i++) {
    const ms = -Math.log(1 - random.next()) * 5 + (random.next() < 0.01 ? 800 : 0);
    all.record(ms);
    parts[i % 3]!.record(ms);
  }
  const merged = new LatencyHistogram();
  for (const p of parts) merged.merge(LatencyHistogram.decode(p.encode()));
  // The encoding keeps every bucket count, so the merge equals the whole histogram sent the same way…
  const whole = LatencyHistogram.decode(all.encode());
  assert.deepEqual(merged.snapshot(), whole.snapshot());
  assert.equal(merged.percentileDistribution(), whole.percentileDistribution());
  // …and the histogram of all samples in every percentile; only the exact max is rounded to its bucket (≤ 0.1%).
  const [m, a] = [merged.snapshot(), all.snapshot()];
  assert.deepEqual([m.count, m.p50, m.p90, m.p99, m.p999], [a.count, a.p50, a.p90, a.p99, a.p999]);
  assert.ok(Math.abs(m.max - a.max) <= 0.001 * a.max);
  assert.throws(
    () => LatencyHistogram.decode('not a histogram'),
    (e: unknown) => isHeadroomError(e, 'HR_CORE_INVALID_OPTION'),
  );
});

test('.hgrm: HdrHistogram percentile-distribution text, values in ms', () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.record(i / 10);
  const lines = h.percentileDistribution().split('\n');
  assert.equal(lines[0], '       Value     Percentile TotalCount 1/(1-Percentile)');
  assert.equal(lines[1], '');
  assert.match(lines[2]!, /^ {7}0\.100 0\.000000000000 {10}1 {11}1\.00$/);
  assert.ok(lines.some((l) => /^ +50\.0\d\d 0\.500000000000 +500 +2\.00$/.test(l)));
  assert.ok(lines.some((l) => l.startsWith('#[Mean    =')) && lines.some((l) => /^#\[Max {5}= .*Total count {4}= {9}1000\]$/.test(l)));
});

test('thresholds: parsed, checked, and a bad one names the accepted forms', () => {
  const latency = new LatencyHistogram();
  for (let i = 1; i <= 100; i++) latency.record(i);
  const input = { latency, errorRate: 0.02, ratePerSec: 900 };
  const results = evaluateThresholds(['p99<50ms', 'p50<=51ms', 'mean<1s', 'errors<1%', 'rps>=1000', 'p99.9<2s'].map(parseThreshold), input);
  assert.deepEqual(
    results.map((r) => [r.text, r.passed]),
    [
      ['p99<50ms', false],
      ['p50<=51ms', true],
      ['mean<1s', true],
      ['errors<1%', false],
      ['rps>=1000', false],
      ['p99.9<2s', true],
    ],
  );
  assert.equal(results[3]!.limit, 0.01);
  for (const bad of ['p99 < fast', 'p99<50', 'errors<1ms', 'latency<5ms', 'p101<5ms']) {
    assert.throws(
      () => parseThreshold(bad),
      (e: unknown) => isHeadroomError(e, 'HR_SCALE_INVALID_OPTION') && /p99<50ms/.test((e as Error).message),
      bad,
    );
  }
});

test('HttpTarget against a real local server: keep-alive requests counted ok, 5xx and refused connections named', async () => {
  let served = 0;
  const posted: string[] = [];
  const sockets = new Set<unknown>();
  const server: Server = createServer((req, res) => {
    if (req.url === '/post') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        posted.push(`${req.method} ${req.headers['x-run'] ?? '-'} ${body}`);
        res.write('chunked, ');
        res.end('in two parts'); // no Content-Length: a chunked body, discarded as it arrives
      });
      return;
    }
    served++;
    res.statusCode = req.url === '/fail' ? 503 : 200;
    res.end('hello');
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const ok = new HttpTarget(`http://127.0.0.1:${port}/`, { connections: 2 });
    const r = await runClosedLoop(ok.send, { concurrency: 2, duration: '300ms', classify: classifyHttp });
    await ok.close();
    assert.ok(r.ok > 10 && r.ok === served && Object.keys(r.failures).length === 0, JSON.stringify({ ok: r.ok, served, f: r.failures }));
    assert.ok(sockets.size <= 2, `keep-alive: ${sockets.size} connections for ${served} requests`);
    const failing = new HttpTarget(`http://127.0.0.1:${port}/fail`);
    const f = await runClosedLoop(failing.send, { concurrency: 1, duration: '100ms', classify: classifyHttp });
    await failing.close();
    assert.ok(f.ok === 0 && (f.failures['http_503'] ?? 0) > 0, JSON.stringify(f.failures));
    const post = new HttpTarget(`http://127.0.0.1:${port}/post`, { method: 'POST', body: 'abc', headers: { 'x-run': '7' } });
    const p = await runClosedLoop(post.send, { concurrency: 1, duration: '50ms', classify: classifyHttp });
    await post.close();
    assert.ok(
      p.ok > 0 && p.ok === posted.length && posted.every((line) => line === 'POST 7 abc'),
      JSON.stringify({ ok: p.ok, posted: posted.slice(0, 3) }),
    );
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const refused = new HttpTarget(`http://127.0.0.1:${port}/`);
  const x = await runClosedLoop(refused.send, { concurrency: 1, duration: '50ms', classify: classifyHttp });
  await refused.close();
  assert.ok((x.failures['ECONNREFUSED'] ?? 0) > 0, JSON.stringify(x.failures));
  assert.throws(
    () => new HttpTarget('ftp://example.com/'),
    (e: unknown) => isHeadroomError(e, 'HR_SCALE_INVALID_OPTION'),
  );
});
