import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReplicaClients } from '../../src/lab/load/client.js';

/** A loopback HTTP server that answers `/fast` at once and holds `/held` until it is released. */
async function replica(): Promise<{ origin: string; release(): void; held: Promise<void>; close(): Promise<void> }> {
  const waiting: ServerResponse[] = [];
  let arrived!: () => void;
  const held = new Promise<void>((resolve) => (arrived = resolve));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/held') {
      waiting.push(res);
      arrived();
    } else res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    held,
    release: () => waiting.splice(0).forEach((res) => res.end('late')),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const plan = (path: string) => ({ method: 'GET' as const, path, body: null, key: 'k' });

test('connections counts the sockets opened: kept alive across requests, one more after a request cancelled on the wire', async () => {
  const r = await replica();
  const clients = new ReplicaClients([{ index: 0, pid: process.pid, port: 0, origin: r.origin }], 1);
  try {
    const never = new AbortController().signal;
    assert.equal(clients.connections, 0);
    for (let i = 0; i < 3; i++) assert.equal(await clients.send(0, plan('/fast'), never, {}), 200);
    assert.equal(clients.connections, 1, 'requests one after another share the one kept-alive connection');

    // A request cancelled while its answer is outstanding (a hedge's loser): HTTP/1.1 can stop
    // it only by closing the connection, so the next request needs a new one.
    const cancel = new AbortController();
    const lost = clients.send(0, plan('/held'), cancel.signal, {});
    await r.held;
    cancel.abort(new Error('hedge-lost'));
    await assert.rejects(lost);
    assert.equal(await clients.send(0, plan('/fast'), never, {}), 200);
    assert.equal(clients.connections, 2);
    assert.equal(clients.attempts, 5);
  } finally {
    r.release();
    await clients.close();
    await r.close();
  }
});
