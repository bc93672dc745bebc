/**
 * Deterministic aperture through the undici BalancedDispatcher on real loopback servers: a client
 * sends only to the servers of its slice of the ring (ordered by endpoint id), and spreads over
 * them; the other clients' slices cover the rest.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { SeededRandom } from '../../src/core/random.js';
import { aperture, apertureSlice, BalancedDispatcher, Balancer } from '../../src/balance/index.js';

const open: Array<() => unknown> = [];
after(async () => {
  for (const close of open.reverse()) await close();
});

async function server(hits: Map<string, number>): Promise<string> {
  let origin = '';
  const s: Server = createServer((_req, res) => {
    hits.set(origin, (hits.get(origin) ?? 0) + 1);
    setTimeout(() => res.end('ok'), 2); // a little time in service, so four callers overlap
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  open.push(() => new Promise((resolve) => s.close(resolve)));
  origin = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return origin;
}

test('through the undici dispatcher, each of 3 clients sends only to its slice of 6 servers, and the slices cover every server', async () => {
  const hits = new Map<string, number>();
  const origins = await Promise.all(Array.from({ length: 6 }, () => server(hits)));
  const ring = [...origins].sort(); // aperture orders servers by id, so every client sees one ring
  const seen = new Set<string>();
  for (let index = 0; index < 3; index++) {
    const coordinate = { index, count: 3 };
    const slice = apertureSlice(coordinate, ring.length, 2);
    const expected = new Set(Array.from({ length: slice.servers }, (_, k) => ring[(slice.first + k) % ring.length]!));
    assert.equal(expected.size, 2, '⌈2·3/6⌉ / 3 of the ring: two servers');
    const balancer = new Balancer({
      endpoints: origins,
      picker: aperture({ coordinate, minAperture: 2 }),
      outlier: false,
      random: new SeededRandom(index + 1),
    });
    const dispatcher = new BalancedDispatcher(balancer);
    const before = new Map(hits);
    let sent = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (sent < 60) {
          sent++;
          const res = await request('http://svc.internal/work', { dispatcher });
          assert.equal(await res.body.text(), 'ok');
        }
      }),
    );
    await dispatcher.close();
    balancer.close();
    const sentTo = origins.filter((o) => (hits.get(o) ?? 0) > (before.get(o) ?? 0));
    assert.deepEqual(new Set(sentTo), expected, `client ${index} sent to ${sentTo.join(', ')}`);
    for (const o of expected) {
      const n = (hits.get(o) ?? 0) - (before.get(o) ?? 0);
      assert.ok(n > 0, `client ${index}: none of 60 to ${o}, a server of its slice`);
      seen.add(o);
    }
  }
  assert.equal(seen.size, 6, 'the three slices cover every server');
});
