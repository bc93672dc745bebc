// Safety of the proxy server: tokens off loopback, the kill switch, HTTP toxics over real
// sockets, Redis through the proxy, and no listener left behind by a killed process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { isHeadroomError } from '../../src/core/errors.js';
import { ChaosProxyServer, killSwitch } from '../../src/chaos/index.js';

test('binding the API off loopback requires a token, and requests without it get 401', async (t) => {
  assert.throws(
    () => new ChaosProxyServer({ host: '0.0.0.0', port: 0 }),
    (e: unknown) => isHeadroomError(e, 'HR_CHAOS_TOKEN_REQUIRED'),
  );
  const token = 'a-secret-of-enough-length';
  const server = new ChaosProxyServer({ host: '0.0.0.0', port: 0, token });
  await server.start();
  t.after(() => server.stop());
  const port = server.address.split(':').at(-1);
  assert.equal((await fetch(`http://127.0.0.1:${port}/proxies`)).status, 401);
  assert.equal(
    (await fetch(`http://127.0.0.1:${port}/proxies`, { headers: { authorization: 'Bearer wrong-secret-of-length' } })).status,
    401,
  );
  assert.equal((await fetch(`http://127.0.0.1:${port}/proxies`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
});

test('loopback by default: the API on 127.0.0.1, proxies refused off loopback; upstreams off loopback only when allow-listed', async (t) => {
  const server = new ChaosProxyServer({ port: 0, allowUpstreams: ['10.1.2.3:80', 'db.internal'] });
  await server.start();
  t.after(() => server.stop());
  assert.match(server.address, /^127\.0\.0\.1:\d+$/);
  const post = (body: unknown): Promise<Response> =>
    fetch(`http://${server.address}/proxies`, { method: 'POST', body: JSON.stringify(body) });
  const open = await post({ name: 'open', listen: '0.0.0.0:0', upstream: '127.0.0.1:6379' });
  assert.equal(open.status, 403, 'a proxy listening on every interface needs a token');
  assert.equal((await post({ name: 'listed', upstream: '10.1.2.3:80' })).status, 201);
  assert.equal((await post({ name: 'by-host', upstream: 'db.internal:5432' })).status, 201);
  const other = await post({ name: 'other', upstream: '10.1.2.3:81' });
  assert.equal(other.status, 403);
  assert.match(((await other.json()) as { error: string }).error, /10\.1\.2\.3:81/);
  assert.deepEqual(Object.keys(server.list()).sort(), ['by-host', 'listed']);
});

test('engaging the kill switch removes every toxic of a running server', async (t) => {
  const server = new ChaosProxyServer({ port: 0 });
  await server.start();
  t.after(() => server.stop());
  await server.createProxy({ name: 'k', upstream: '127.0.0.1:6379' });
  server.addToxic('k', { type: 'latency', attributes: { latency: 1000 } });
  killSwitch.engage();
  killSwitch.release();
  assert.deepEqual(server.toxics('k'), []);
});

test('HTTP toxics on a real HTTP/1.1 upstream: fail the first N, status by route, per-route latency', { timeout: 30_000 }, async (t) => {
  const upstream = createHttpServer((req, res) => res.end(`real ${req.url}`));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const server = new ChaosProxyServer({ port: 0 });
  await server.start();
  t.after(async () => {
    await server.stop();
    upstream.close();
  });
  const p = await server.createProxy({ name: 'web', upstream: `127.0.0.1:${(upstream.address() as AddressInfo).port}` });
  server.addToxic('web', {
    name: 'first',
    type: 'http_fail_first',
    stream: 'upstream',
    attributes: { count: 2, status: 502, path_prefix: '/orders' },
  });
  server.addToxic('web', { name: 'slow', type: 'http_latency', stream: 'upstream', attributes: { latency: 300, path_prefix: '/slow' } });
  const base = `http://${p.listen}`;
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await fetch(`${base}/orders/${i}`)).status);
  assert.deepEqual(statuses, [502, 502, 200, 200]);
  const start = performance.now();
  assert.equal(await (await fetch(`${base}/slow/x`)).text(), 'real /slow/x');
  assert.ok(performance.now() - start >= 295);
  server.addToxic('web', { name: 'down', type: 'http_status', stream: 'upstream', attributes: { status: 503, path_prefix: '/down' } });
  const down = await fetch(`${base}/down`, { method: 'POST', body: 'x'.repeat(10_000) });
  assert.equal(down.status, 503);
  assert.equal(down.headers.get('x-headroom-chaos'), 'down');
  assert.equal((await fetch(`${base}/up`)).status, 200, 'the same connection keeps working after an injected answer');
});

test('Redis through the proxy: latency delays commands; a timeout toxic makes them time out', { timeout: 30_000 }, async (t) => {
  const server = new ChaosProxyServer({ port: 0 });
  await server.start();
  const p = await server.createProxy({ name: 'redis', upstream: '127.0.0.1:6379' });
  const redis = createClient({ url: `redis://${p.listen}`, socket: { reconnectStrategy: false } });
  redis.on('error', () => undefined);
  await redis.connect();
  t.after(async () => {
    redis.destroy();
    await server.stop();
  });
  assert.equal(await redis.ping(), 'PONG');
  server.addToxic('redis', { name: 'lat', type: 'latency', attributes: { latency: 150 } });
  const start = performance.now();
  assert.equal(await redis.ping(), 'PONG');
  assert.ok(performance.now() - start >= 145);
  server.removeToxic('redis', 'lat');
  server.addToxic('redis', { name: 'stall', type: 'timeout', attributes: { timeout: 0 } });
  const stalled = await Promise.race([
    redis.ping().then(
      () => 'answered',
      () => 'failed',
    ),
    new Promise((r) => setTimeout(() => r('stalled'), 500)),
  ]);
  assert.equal(stalled, 'stalled');
});

test('a killed proxy process leaves no listener behind', { timeout: 60_000 }, async () => {
  const child = spawn(
    process.execPath,
    ['--conditions=headroom-source', '--import', 'tsx', fileURLToPath(new URL('./proxy-process.child.ts', import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const ports = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', () => reject(new Error('child exited early')));
  });
  const [api, proxy] = ports.split(' ');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  for (const address of [api!, proxy!]) {
    const [host, port] = address.split(':');
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port: Number(port) });
      s.once('connect', () => (s.destroy(), resolve(false)));
      s.once('error', () => resolve(true));
    });
    assert.ok(refused, `${address} is no longer listening`);
  }
});
