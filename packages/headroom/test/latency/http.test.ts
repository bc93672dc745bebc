import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { request } from 'undici';
import { sleep, systemClock } from '../../src/core/clock.js';
import {
  ConcurrencyLimiter,
  FixedLimit,
  deadlineHeaders,
  fastifyLimiter,
  readDeadline,
  shedResponse,
  RETRY_AFTER_MS_HEADER,
} from '../../src/latency/index.js';
import { startHttpBackend } from '../support/http-backend.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('node:http middleware: past the limit a request gets 503 with Retry-After; permits come back', async () => {
  const limiter = new ConcurrencyLimiter({ limit: new FixedLimit(2), minRetryAfter: 1500 });
  const backend = await startHttpBackend({ workers: 4, serviceMs: () => 100, limiter });
  try {
    const responses = await Promise.all([0, 1, 2].map(() => request(backend.origin + '/work')));
    const codes = responses.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [200, 200, 503]);
    const shed = responses.find((r) => r.statusCode === 503)!;
    assert.equal(shed.headers['retry-after'], '2');
    assert.equal(shed.headers[RETRY_AFTER_MS_HEADER], '1500');
    const body = (await shed.body.json()) as { code: string; retryAfterMs: number };
    assert.equal(body.code, 'HR_CORE_LOAD_SHED');
    for (const r of responses) await r.body.dump();
    assert.equal(limiter.inflight, 0);
    assert.equal(backend.fifo.executed, 2);
  } finally {
    await backend.close();
  }
});

test('node:http middleware: a queued request waits no longer than its incoming deadline (504); bad headers get 400', async () => {
  const limiter = new ConcurrencyLimiter({ limit: 1, queueSize: 10, queueTimeout: 5000 });
  const backend = await startHttpBackend({ workers: 4, serviceMs: () => 300, limiter });
  try {
    const first = request(backend.origin + '/work');
    await sleep(systemClock, 20);
    const hurried = await request(backend.origin + '/work', { headers: { 'headroom-timeout-ms': '50' } });
    assert.equal(hurried.statusCode, 504);
    await hurried.body.dump();
    const malformed = await request(backend.origin + '/work', { headers: { 'grpc-timeout': 'soon' } });
    assert.equal(malformed.statusCode, 400);
    assert.equal(((await malformed.body.json()) as { code: string }).code, 'HR_LATENCY_INVALID_DEADLINE_HEADER');
    assert.equal((await first).statusCode, 200);
    await (await first).body.dump();
    assert.equal(backend.fifo.executed, 1);
  } finally {
    await backend.close();
  }
});

test('fastify plugin: sheds with 503 past the limit and releases permits on response', async () => {
  const limiter = new ConcurrencyLimiter({ limit: 1 });
  const app = Fastify();
  await app.register(fastifyLimiter(limiter));
  app.get('/work', async () => {
    await sleep(systemClock, 100);
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  try {
    const [a, b] = await Promise.all([request(origin + '/work'), request(origin + '/work')]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 503]);
    const shed = a.statusCode === 503 ? a : b;
    assert.ok(Number(shed.headers['retry-after']) >= 1);
    assert.equal(((await shed.body.json()) as { code: string }).code, 'HR_CORE_LOAD_SHED');
    await (a.statusCode === 200 ? a : b).body.dump();
    assert.equal(limiter.inflight, 0);
    const again = await request(origin + '/work');
    assert.equal(again.statusCode, 200);
    await again.body.dump();
    assert.equal(limiter.stats().admitted, 2);
  } finally {
    await app.close();
  }
});

test('deadline propagation across two real hops: the budget shrinks, an expired one is never sent on', async () => {
  const seen: string[] = [];
  const backend = createServer((req, res) => {
    seen.push(String(req.headers['grpc-timeout']));
    const deadline = readDeadline(req.headers)!;
    res.end(String(deadline.remainingMs()));
    deadline.dispose();
  });
  const backendOrigin = await listen(backend);
  let calledBackend = 0;
  const edge = createServer((req, res) => {
    void (async () => {
      let deadline;
      try {
        deadline = readDeadline(req.headers, { defaultTimeout: 1000 })!;
        await sleep(systemClock, 50, deadline.signal); // the edge's own work
        deadline.check(1);
        calledBackend++;
        const down = await request(backendOrigin + '/', { headers: deadlineHeaders(deadline, { grpc: true }), signal: deadline.signal });
        res.end(await down.body.text());
      } catch (error) {
        const answer = shedResponse(error);
        res.writeHead(answer?.status ?? 500).end(JSON.stringify(answer?.body ?? {}));
      } finally {
        deadline?.dispose();
      }
    })();
  });
  const edgeOrigin = await listen(edge);
  try {
    const ok = await request(edgeOrigin + '/', { headers: { 'headroom-timeout-ms': '300' } });
    const leftAtBackend = Number(await ok.body.text());
    assert.ok(leftAtBackend > 0 && leftAtBackend <= 250, `backend saw ${leftAtBackend} ms of the 300 ms budget after 50 ms at the edge`);
    assert.match(seen[0]!, /^\d{1,8}u$/);
    const late = await request(edgeOrigin + '/', { headers: { 'headroom-timeout-ms': '20' } });
    assert.equal(late.statusCode, 504);
    await late.body.dump();
    assert.equal(calledBackend, 1, 'the expired request never reached the backend');
  } finally {
    edge.closeAllConnections();
    backend.closeAllConnections();
    await new Promise((resolve) => edge.close(resolve));
    await new Promise((resolve) => backend.close(resolve));
  }
});

test('test backend, deadline-aware: work that cannot finish by the caller deadline is answered 504 unexecuted; the rest runs', async () => {
  // One worker busy for 600 ms; behind it, a request with 100 ms left (its deadline passes while it
  // waits), one with 1,000 ms left that must start within 200 ms to finish in time (needMs 800:
  // it would start after ~550 ms), and one with no deadline at all. Margins of 350 ms or more.
  const backend = await startHttpBackend({ workers: 1, serviceMs: () => 600, deadlineAware: { needMs: 800 } });
  try {
    const first = request(backend.origin + '/work');
    await sleep(systemClock, 50);
    const expired = request(backend.origin + '/work', { headers: { 'headroom-timeout-ms': '100' } });
    const tooLate = request(backend.origin + '/work', { headers: { 'headroom-timeout-ms': '1000' } });
    const unbounded = request(backend.origin + '/work');
    const codes = await Promise.all(
      [first, expired, tooLate, unbounded].map(async (pending) => {
        const res = await pending;
        await res.body.dump();
        return res.statusCode;
      }),
    );
    assert.deepEqual(codes, [200, 504, 504, 200]);
    assert.equal(backend.fifo.executed, 2);
    assert.equal(backend.dropped, 2);
  } finally {
    await backend.close();
  }
});
