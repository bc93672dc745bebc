// The published toxiproxy-node-client (4.1.0) drives our proxy: proxies, populate, every toxic,
// update, remove and reset, with byte-level checks over real TCP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Toxiproxy, ToxiproxyError } from 'toxiproxy-node-client';
import { SeededRandom } from '../../src/core/random.js';
import { ChaosProxyServer } from '../../src/chaos/index.js';
import { echoServer, receive, sendingServer, type Peer } from './tcp-fixtures.js';

let server: ChaosProxyServer;
let client: Toxiproxy;
let echo: Peer;
let sender: Peer;
const SENT = 5000;

before(async () => {
  server = new ChaosProxyServer({ port: 0, random: new SeededRandom(7) });
  await server.start();
  client = new Toxiproxy(`http://${server.address}`);
  echo = await echoServer();
  sender = await sendingServer(SENT);
});
after(async () => {
  await server.stop();
  await echo.close();
  await sender.close();
});

/**
 * Sums how late this event loop ran a 20 ms interval timer (lateness under 5 ms a beat is
 * ignored: timer granularity): the time a busy machine kept this process from running.
 */
function loopLag(): { stop(): number } {
  let lagMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lagMs += Math.max(0, now - last - 25);
    last = now;
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.round(lagMs + Math.max(0, performance.now() - last - 25));
    },
  };
}

async function proxyTo(name: string, upstream: string): Promise<{ listen: string; proxy: Awaited<ReturnType<Toxiproxy['createProxy']>> }> {
  const proxy = await client.createProxy({ name, listen: '127.0.0.1:0', upstream });
  return { listen: proxy.listen, proxy };
}

test('version, create, get, getAll, populate, update, remove and reset through the client', async () => {
  assert.match(await client.getVersion(), /"version"/);
  const { proxy, listen } = await proxyTo('api', echo.address);
  assert.match(listen, /^127\.0\.0\.1:\d+$/);
  assert.notEqual(listen, '127.0.0.1:0', 'the bound port is reported');
  assert.equal((await client.get('api')).upstream, echo.address);
  assert.ok('api' in (await client.getAll()));
  await assert.rejects(
    client.createProxy({ name: 'api', listen: '127.0.0.1:0', upstream: echo.address }),
    (e: unknown) => e instanceof ToxiproxyError && /409/.test(e.message),
  );
  const populated = await client.populate([
    { name: 'api', listen, upstream: echo.address },
    { name: 'pop2', listen: '127.0.0.1:0', upstream: echo.address },
  ]);
  assert.deepEqual(Object.keys(populated).sort(), ['api', 'pop2']);
  const toxic = await proxy.addToxic({
    name: 'slow',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 10, jitter: 0 },
  });
  assert.equal(((await proxy.getToxic('slow')).attributes as { latency: number }).latency, 10);
  const updated = await toxic.update({ ...toxic.toJson(), attributes: { latency: 20, jitter: 0 } });
  assert.equal((updated.attributes as { latency: number }).latency, 20);
  const disabled = await proxy.update({ ...proxy.toJson(), enabled: false });
  assert.equal(disabled.enabled, false);
  assert.equal((await receive(listen, { maxMs: 2000 })).error, 'ECONNREFUSED');
  await client.reset();
  const after = await client.get('api');
  assert.equal(after.enabled, true, 'reset re-enables');
  assert.deepEqual((await (await fetch(`http://${server.address}/proxies/api/toxics`)).json()) as unknown[], [], 'reset removes toxics');
  await (await client.get('pop2')).remove();
  await proxy.remove();
  await assert.rejects(client.get('api'), /404/);
});

test("errors have Toxiproxy's shape and status", async () => {
  const res = await fetch(`http://${server.address}/proxies/nope`);
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { error: 'proxy not found', status: 404 });
  const missing = await fetch(`http://${server.address}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'x' }) });
  assert.deepEqual(await missing.json(), { error: 'missing required field: upstream', status: 400 });
  await proxyTo('err', echo.address);
  const badType = await fetch(`http://${server.address}/proxies/err/toxics`, { method: 'POST', body: JSON.stringify({ type: 'nope' }) });
  assert.deepEqual(await badType.json(), { error: 'invalid toxic type', status: 400 });
  const badStream = await fetch(`http://${server.address}/proxies/err/toxics`, {
    method: 'POST',
    body: JSON.stringify({ type: 'latency', stream: 'sideways' }),
  });
  assert.equal(badStream.status, 400);
  const created = await fetch(`http://${server.address}/proxies/err/toxics`, { method: 'POST', body: JSON.stringify({ type: 'latency' }) });
  assert.equal(created.status, 200);
  assert.deepEqual(await created.json(), {
    name: 'latency_downstream',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 0, jitter: 0 },
  });
  const dup = await fetch(`http://${server.address}/proxies/err/toxics`, { method: 'POST', body: JSON.stringify({ type: 'latency' }) });
  assert.deepEqual(await dup.json(), { error: 'toxic already exists', status: 409 });
  const far = await fetch(`http://${server.address}/proxies`, {
    method: 'POST',
    body: JSON.stringify({ name: 'far', upstream: '10.1.2.3:80' }),
  });
  assert.equal(far.status, 403, 'upstreams off loopback are refused without an allow-list');
  const browser = await fetch(`http://${server.address}/proxies`, { headers: { 'user-agent': 'Mozilla/5.0' } });
  assert.equal(browser.status, 403);
  await (await client.get('err')).remove();
});

test('latency (downstream) delays every echo by at least the latency', async () => {
  const { proxy, listen } = await proxyTo('lat', echo.address);
  await proxy.addToxic({ name: 'l', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 200, jitter: 0 } });
  const r = await receive(listen, { send: 'ping', untilBytes: 4 });
  assert.equal(Buffer.concat(r.chunks).toString(), 'ping');
  assert.ok(r.firstByteMs! >= 199, `first byte after ${r.firstByteMs} ms`);
  await proxy.remove();
});

test('bandwidth limits the rate (100 KB at 50 KB/s ≈ 2 s)', { timeout: 30_000 }, async () => {
  const big = await sendingServer(100_000);
  const { proxy, listen } = await proxyTo('bw', big.address);
  await proxy.addToxic({ name: 'bw', type: 'bandwidth', stream: 'downstream', toxicity: 1, attributes: { rate: 50 } });
  const lag = loopLag();
  const r = await receive(listen, { maxMs: 20_000 });
  const lagMs = lag.stop();
  assert.equal(r.bytes, 100_000);
  // The toxic's floor is exact (2000 ms); the ceiling allows a loaded machine, plus the time this
  // process (proxy and reader both) was kept from running meanwhile.
  assert.ok(r.closedMs >= 1800 && r.closedMs < 2200 * 1.5 + lagMs, `took ${r.closedMs} ms (the event loop ran ${lagMs} ms late)`);
  await proxy.remove();
  await big.close();
});

test('limit_data closes after exactly N bytes', async () => {
  const { proxy, listen } = await proxyTo('limit', sender.address);
  await proxy.addToxic({ name: 'lim', type: 'limit_data', stream: 'downstream', toxicity: 1, attributes: { bytes: 1234 } });
  const r = await receive(listen);
  assert.equal(r.bytes, 1234);
  const data = Buffer.concat(r.chunks);
  assert.ok(
    data.every((b, i) => b === i % 251),
    'the first N bytes, unchanged',
  );
  await proxy.remove();
});

test('reset_peer sends RST: the client sees ECONNRESET', async () => {
  const { proxy, listen } = await proxyTo('rst', echo.address);
  await proxy.addToxic({ name: 'rst', type: 'reset_peer', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
  const r = await receive(listen, { send: 'hello' });
  assert.equal(r.error, 'ECONNRESET');
  assert.equal(r.bytes, 0);
  await proxy.remove();
});

test('timeout > 0 drops data and closes after the timeout; timeout 0 holds until the toxic is removed', async () => {
  const { proxy, listen } = await proxyTo('to', echo.address);
  const toxic = await proxy.addToxic({ name: 'to', type: 'timeout', stream: 'downstream', toxicity: 1, attributes: { timeout: 300 } });
  const r = await receive(listen, { send: 'hello' });
  assert.equal(r.bytes, 0);
  assert.ok(r.closedMs >= 290 && r.closedMs < 5000, `closed after ${r.closedMs} ms`);
  await toxic.update({ ...toxic.toJson(), attributes: { timeout: 0 } });
  const held = receive(listen, { send: 'hello', maxMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await toxic.remove();
  const h = await held;
  assert.equal(h.bytes, 0);
  assert.ok(h.closedMs >= 500 && h.error !== 'TEST_MAX', `held, then closed on removal (${h.closedMs} ms, ${h.error})`);
  await proxy.remove();
});

test('slow_close delays the close, not the data', async () => {
  const { proxy, listen } = await proxyTo('sc', sender.address);
  await proxy.addToxic({ name: 'sc', type: 'slow_close', stream: 'downstream', toxicity: 1, attributes: { delay: 400 } });
  const r = await receive(listen);
  assert.equal(r.bytes, SENT);
  assert.ok(r.closedMs >= 395 && r.firstByteMs! < r.closedMs - 200, `data at ${r.firstByteMs} ms, close at ${r.closedMs} ms`);
  await proxy.remove();
});

test('slicer cuts the stream into small writes; all bytes arrive in order', async () => {
  const { proxy, listen } = await proxyTo('sl', sender.address);
  await proxy.addToxic({
    name: 'sl',
    type: 'slicer',
    stream: 'downstream',
    toxicity: 1,
    // 20 ms apart (50 slices, 1 s): a reader kept from running longer than the gap reads several
    // slices at once, and at 2 ms a busy machine merged 50 slices into 6 reads.
    attributes: { average_size: 100, size_variation: 0, delay: 20_000 },
  });
  const r = await receive(listen);
  const data = Buffer.concat(r.chunks);
  assert.equal(data.length, SENT);
  assert.ok(data.every((b, i) => b === i % 251));
  assert.ok(r.chunks.length > 10, `received in ${r.chunks.length} reads`);
  await proxy.remove();
});

test('toxicity 0 affects no connection; toxicity is drawn per connection', async () => {
  const { proxy, listen } = await proxyTo('tox', sender.address);
  const toxic = await proxy.addToxic({ name: 'lim', type: 'limit_data', stream: 'downstream', toxicity: 0, attributes: { bytes: 10 } });
  assert.equal((await receive(listen)).bytes, SENT);
  await toxic.update({ ...toxic.toJson(), toxicity: 0.5 });
  const sizes = await Promise.all(Array.from({ length: 40 }, () => receive(listen).then((r) => r.bytes)));
  const limited = sizes.filter((n) => n === 10).length;
  assert.equal(limited + sizes.filter((n) => n === SENT).length, 40);
  assert.ok(limited > 5 && limited < 35, `${limited} of 40 connections limited`);
  await proxy.remove();
});
