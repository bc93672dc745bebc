import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Agent, Pool, fetch as undiciFetch, request } from 'undici';
import { SeededRandom } from '../../src/core/random.js';
import { CHAOS_RULE_HEADER, FaultInjector, InjectedFaultError, fastifyFaults, faultInterceptor } from '../../src/chaos/index.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A loopback server answering `real <path>` (and 1 MiB at /big), counting what reached it. */
async function realServer(t: { after(fn: () => unknown): void }): Promise<{ base: string; hits: string[] }> {
  const hits: string[] = [];
  const big = Buffer.alloc(1 << 20, 7);
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/big') res.end(big);
    else res.end(`real ${req.url}`);
  });
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { base: await listen(server), hits };
}

test('faultInterceptor: fetch and undici.request through a composed Agent get every fault kind', { timeout: 30_000 }, async (t) => {
  const { base, hits } = await realServer(t);
  const host = new URL(base).host;
  const chaos = new FaultInjector({
    random: new SeededRandom(3),
    faults: [
      { name: 'down', status: 503, select: { keys: [`${host}/down`] } },
      { name: 'broken', error: 'boom', select: { keys: [`${host}/broken`] } },
      { name: 'reset', abort: true, select: { keys: [`${host}/reset`] } },
      { name: 'slow', latency: 200, select: { keys: [`${host}/slow`, `${host}/big`] } },
      { name: 'late', timeout: 100, select: { keys: [`${host}/late`] } },
      { name: 'stuck', hang: true, select: { keys: [`${host}/stuck`] } },
    ],
  });
  const dispatcher = new Agent().compose(faultInterceptor(chaos));
  t.after(() => dispatcher.close());

  const down = await undiciFetch(`${base}/down?x=1`, { dispatcher });
  assert.equal(down.status, 503);
  assert.equal(down.headers.get(CHAOS_RULE_HEADER), 'down');
  assert.match(await down.text(), /Injected HTTP 503/);
  const viaRequest = await request(`${base}/down`, { dispatcher });
  assert.equal(viaRequest.statusCode, 503);
  await viaRequest.body.dump();

  await assert.rejects(undiciFetch(`${base}/broken`, { dispatcher }), (e: unknown) => {
    return e instanceof TypeError && e.cause instanceof InjectedFaultError && e.cause.kind === 'error' && e.cause.message === 'boom';
  });
  await assert.rejects(request(`${base}/reset`, { dispatcher }), (e: unknown) => e instanceof InjectedFaultError && e.kind === 'abort');
  await assert.rejects(request(`${base}/late`, { dispatcher }), (e: unknown) => e instanceof InjectedFaultError && e.kind === 'timeout');

  const start = performance.now();
  assert.equal(await (await undiciFetch(`${base}/slow`, { dispatcher })).text(), 'real /slow');
  assert.ok(performance.now() - start >= 195, 'the latency fault delayed the request');
  // A delayed request is then dispatched for real, body streamed through our controller intact.
  const big = Buffer.from(await (await undiciFetch(`${base}/big`, { dispatcher })).arrayBuffer());
  assert.equal(big.length, 1 << 20);
  assert.ok(big.every((b) => b === 7));

  await assert.rejects(undiciFetch(`${base}/stuck`, { dispatcher, signal: AbortSignal.timeout(150) }), /timeout|aborted/i);
  assert.equal((await undiciFetch(`${base}/fine`, { dispatcher })).status, 200);
  // Only the requests a fault let through reached the server.
  assert.deepEqual(hits.sort(), ['/big', '/fine', '/slow']);
});

test('faultInterceptor: a hang is released by disarm and the request goes through; an abort during a delay never dispatches', async (t) => {
  const { base, hits } = await realServer(t);
  const chaos = new FaultInjector({
    faults: [
      { name: 'stuck', hang: true, select: { pattern: '/stuck$' } },
      { latency: 5_000, select: { pattern: '/slow$' } },
    ],
  });
  const pool = new Pool(base).compose(faultInterceptor(chaos, { key: (o) => o.path }));
  t.after(() => pool.close());
  const hanging = pool.request({ method: 'GET', path: '/stuck' });
  const ac = new AbortController();
  const delayed = pool.request({ method: 'GET', path: '/slow', signal: ac.signal });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(hits, [], 'nothing was dispatched while hanging or delayed');
  ac.abort(new Error('caller gave up'));
  await assert.rejects(delayed, /caller gave up/);
  chaos.disarm();
  const released = await hanging;
  assert.equal(await released.body.text(), 'real /stuck');
  assert.deepEqual(hits, ['/stuck']);
});

test(
  'fastifyFaults: route patterns select, the handler never runs for a fault, other routes are untouched',
  { timeout: 30_000 },
  async (t) => {
    const ran: string[] = [];
    const app = Fastify();
    const chaos = new FaultInjector({
      faults: [
        { name: 'orders-down', status: 503, select: { keys: ['/orders/:id'] } },
        { name: 'users-slow', latency: 200, select: { keys: ['/users/:id'] } },
        { name: 'reset', abort: true, select: { keys: ['/reset'] } },
        { name: 'stuck', hang: true, select: { keys: ['/stuck'] } },
        { name: 'late', timeout: 50, select: { keys: ['/late'] } },
        { name: 'broken', error: true, select: { keys: ['/broken'] } },
      ],
    });
    await app.register(fastifyFaults(chaos));
    for (const route of ['/orders/:id', '/users/:id', '/reset', '/stuck', '/late', '/broken', '/fine']) {
      app.get(route, async (request) => {
        ran.push(request.url);
        return { route };
      });
    }
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    t.after(() => app.close());

    const down = await fetch(`${base}/orders/17`);
    assert.equal(down.status, 503);
    assert.equal(down.headers.get(CHAOS_RULE_HEADER), 'orders-down');
    await down.text();
    const start = performance.now();
    assert.deepEqual(await (await fetch(`${base}/users/9`)).json(), { route: '/users/:id' });
    assert.ok(performance.now() - start >= 195, 'the latency fault delayed the route');
    await assert.rejects(fetch(`${base}/reset`), (e: unknown) => e instanceof TypeError);
    await assert.rejects(fetch(`${base}/stuck`, { signal: AbortSignal.timeout(150) }), /timeout|aborted/i);
    assert.equal((await fetch(`${base}/late`)).status, 504);
    assert.equal((await fetch(`${base}/broken`)).status, 500);
    assert.equal((await fetch(`${base}/nowhere`)).status, 404, 'an unmatched path is keyed by its path and not selected');
    assert.deepEqual(await (await fetch(`${base}/fine`)).json(), { route: '/fine' });
    assert.deepEqual(ran, ['/users/9', '/fine']);
    assert.deepEqual(
      chaos.stats().map((s) => s.fired),
      [1, 1, 1, 1, 1, 1],
    );
  },
);
