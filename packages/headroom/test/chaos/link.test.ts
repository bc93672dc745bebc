// Toxic stages on the virtual clock, byte for byte: no sockets, exact timings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { ToxicLink, parseToxic, type LinkSink } from '../../src/chaos/index.js';
import { sliceBounds } from '../../src/chaos/proxy/tcp-toxics.js';

interface Recorded {
  sink: LinkSink;
  writes: { atMs: number; bytes: number }[];
  events: string[];
}

function recorder(clock: VirtualClock): Recorded {
  const r: Recorded = { writes: [], events: [], sink: undefined as unknown as LinkSink };
  r.sink = {
    data: (c) => r.writes.push({ atMs: clock.now(), bytes: c.data.length }),
    end: () => r.events.push(`end@${clock.now()}`),
    close: () => r.events.push(`close@${clock.now()}`),
    reset: () => r.events.push(`reset@${clock.now()}`),
    reply: (d) => r.events.push(`reply:${Buffer.from(d).toString().split('\r\n')[0]}`),
  };
  return r;
}

function link(clock: VirtualClock, toxics: object[], seed = 1): { link: ToxicLink; rec: Recorded } {
  const rec = recorder(clock);
  const l = new ToxicLink(
    toxics.map((t) => parseToxic(t)),
    rec.sink,
    { clock, random: new SeededRandom(seed), shared: () => ({ failed: 0 }) },
  );
  return { link: l, rec };
}

test('latency: each chunk leaves exactly latency ms after it was read, in order', async () => {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const { link: l, rec } = link(clock, [{ type: 'latency', attributes: { latency: 100 } }]);
  l.write(Buffer.alloc(10), clock.now());
  await clock.advanceBy(30);
  l.write(Buffer.alloc(20), clock.now());
  l.end();
  await clock.runUntilIdle();
  assert.deepEqual(
    rec.writes.map((w) => [w.atMs - t0, w.bytes]),
    [
      [100, 10],
      [130, 20],
    ],
  );
  assert.deepEqual(rec.events, [`end@${t0 + 130}`]);
});

test('bandwidth: 100 KB at 50 KB/s takes 2000 ms (within 1%)', async () => {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const { link: l, rec } = link(clock, [{ type: 'bandwidth', attributes: { rate: 50 } }]);
  for (let i = 0; i < 100; i++) l.write(Buffer.alloc(1000), clock.now());
  await clock.runUntilIdle();
  const total = rec.writes.reduce((n, w) => n + w.bytes, 0);
  const took = rec.writes.at(-1)!.atMs - t0;
  assert.equal(total, 100_000);
  assert.ok(Math.abs(took - 2000) <= 20, `took ${took} ms`);
});

test('slicer: pieces of exactly average_size when size_variation is 0, delay µs apart', async () => {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const { link: l, rec } = link(clock, [{ type: 'slicer', attributes: { average_size: 100, size_variation: 0, delay: 1000 } }]);
  l.write(Buffer.alloc(800), clock.now());
  await clock.runUntilIdle();
  assert.deepEqual(
    rec.writes.map((w) => w.bytes),
    Array(8).fill(100),
  );
  assert.deepEqual(
    rec.writes.map((w) => w.atMs - t0),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  const random = new SeededRandom(3);
  const bounds = sliceBounds(0, 10_000, 64, 16, random);
  const sizes = bounds.filter((_, i) => i % 2 === 1).map((end, i) => end - bounds[2 * i]!);
  assert.equal(
    sizes.reduce((a, b) => a + b, 0),
    10_000,
  );
  assert.ok(
    sizes.every((s) => s <= 64 + 16 && s > 0),
    `sizes ${Math.min(...sizes)}..${Math.max(...sizes)}`,
  );
});

test('limit_data passes exactly N bytes then closes; its count survives an update', () => {
  const clock = new VirtualClock();
  const { link: l, rec } = link(clock, [{ name: 'lim', type: 'limit_data', attributes: { bytes: 25 } }]);
  l.write(Buffer.alloc(10), clock.now());
  l.update(parseToxic({ name: 'lim', type: 'limit_data', attributes: { bytes: 25 } }));
  l.write(Buffer.alloc(10), clock.now());
  l.write(Buffer.alloc(10), clock.now());
  assert.deepEqual(
    rec.writes.map((w) => w.bytes),
    [10, 10, 5],
  );
  assert.deepEqual(rec.events, [`close@${clock.now()}`]);
});

test('removing a latency toxic releases what it held at once, in order', async () => {
  const clock = new VirtualClock();
  const { link: l, rec } = link(clock, [{ name: 'slow', type: 'latency', attributes: { latency: 10_000 } }]);
  l.write(Buffer.alloc(1), clock.now());
  l.write(Buffer.alloc(2), clock.now());
  await clock.advanceBy(50);
  l.remove('slow');
  l.write(Buffer.alloc(3), clock.now());
  assert.deepEqual(
    rec.writes.map((w) => w.bytes),
    [1, 2, 3],
  );
});

test('loss stalls the stream by the retransmission timeout, doubling on repeated loss', async () => {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const { link: l, rec } = link(clock, [{ type: 'loss', attributes: { probability: 1, rto: 200 } }]);
  l.write(Buffer.alloc(1), clock.now());
  await clock.runUntilIdle();
  // p = 1: every retransmission is lost too, up to the cap of 10 doublings.
  assert.equal(rec.writes[0]!.atMs - t0, 200 * (2 ** 10 - 1));
});

test('http_fail_first answers the first N matching requests itself, then forwards; bodies are framed', () => {
  const clock = new VirtualClock();
  const { link: l, rec } = link(clock, [
    { type: 'http_fail_first', stream: 'upstream', attributes: { count: 2, status: 503, path_prefix: '/api' } },
  ]);
  const post = 'POST /api/x HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\n\r\nhello';
  const chunked = 'POST /api/y HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
  const get = 'GET /api/z HTTP/1.1\r\nhost: a\r\n\r\n';
  const other = 'GET /health HTTP/1.1\r\nhost: a\r\n\r\n';
  l.write(Buffer.from(other), clock.now());
  l.write(Buffer.from(post.slice(0, 20)), clock.now());
  l.write(Buffer.from(post.slice(20)), clock.now());
  l.write(Buffer.from(chunked), clock.now());
  l.write(Buffer.from(get), clock.now());
  assert.deepEqual(rec.events, ['reply:HTTP/1.1 503 Injected', 'reply:HTTP/1.1 503 Injected']);
  assert.equal(
    rec.writes.reduce((n, w) => n + w.bytes, 0),
    other.length + get.length,
    'only the untouched requests were forwarded',
  );
});
