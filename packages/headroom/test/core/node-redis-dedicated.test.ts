/**
 * `dedicatedNodeRedis` closes a connection only once no connect attempt is in flight, and by
 * destroying it. A fake client (an EventEmitter with node-redis's events) for the logic;
 * close-reconnecting.test.ts checks the same against a real node-redis client and redis-server
 * with SYNs dropped, silent-channel.test.ts against a frozen (SIGSTOP) one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { dedicatedNodeRedis } from '../../src/core/node-redis-dedicated.js';

/** A fake connection: `connect()` resolves when the test says; `close()` is recorded. */
class FakeConnection extends EventEmitter {
  isOpen = false;
  closes = 0;
  finishConnect: () => void = () => {};
  connect(): Promise<void> {
    this.isOpen = true;
    return new Promise((resolve) => (this.finishConnect = resolve));
  }
  close(): Promise<void> {
    this.closes++;
    this.isOpen = false;
    return Promise.resolve();
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** `conn` wrapped and connected: its first attempt came up. */
async function connected(conn: FakeConnection): Promise<ReturnType<typeof dedicatedNodeRedis>> {
  const dedicated = dedicatedNodeRedis(conn);
  const connecting = dedicated.connect();
  conn.emit('connect');
  conn.finishConnect();
  await connecting;
  return dedicated;
}

test('a connection with no attempt in flight is closed at once', async () => {
  const conn = new FakeConnection();
  const dedicated = await connected(conn);
  await dedicated.close();
  assert.equal(conn.closes, 1);
});

test('closed during its first connect, it is closed once the socket is up', async () => {
  const conn = new FakeConnection();
  const dedicated = dedicatedNodeRedis(conn);
  void dedicated.connect();
  let closed = false;
  const closing = dedicated.close().then(() => (closed = true));
  await tick();
  assert.equal(conn.closes, 0, 'closed while the connect was in flight');
  assert.equal(closed, false);
  conn.emit('connect');
  await closing;
  assert.equal(conn.closes, 1);
});

test('closed during a reconnect, it is closed once the attempt fails (or comes up)', async () => {
  const conn = new FakeConnection();
  const dedicated = await connected(conn);
  conn.emit('reconnecting');
  const closing = dedicated.close();
  await tick();
  assert.equal(conn.closes, 0, 'closed while the reconnect was in flight');
  conn.emit('error', new Error('connect ECONNREFUSED'));
  await closing;
  assert.equal(conn.closes, 1);
  // between attempts (the backoff), nothing is in flight: a close is at once
  const again = new FakeConnection();
  const other = dedicatedNodeRedis(again);
  void other.connect();
  again.emit('error', new Error('connect ECONNREFUSED'));
  await other.close();
  assert.equal(again.closes, 1);
});

test('a first connect that ends without a connect event (a cluster) does not hold a close', async () => {
  const conn = new FakeConnection();
  const dedicated = dedicatedNodeRedis(conn);
  const connecting = dedicated.connect();
  conn.finishConnect();
  await connecting;
  await dedicated.close();
  assert.equal(conn.closes, 1);
});

test('it is destroyed, not closed (close() would wait for answers a frozen Redis never sends); it never rejects; a never opened connection is left alone', async () => {
  const conn = new FakeConnection();
  let destroyed = 0;
  Object.assign(conn, {
    destroy: () => {
      destroyed++;
      throw new Error('The client is closed');
    },
  });
  const dedicated = await connected(conn);
  await dedicated.close(); // resolves, though destroy() threw
  assert.equal(destroyed, 1);
  assert.equal(conn.closes, 0, 'close() was called: it waits for the answers to commands in flight');
  const idle = new FakeConnection();
  await dedicatedNodeRedis(idle).close();
  assert.equal(idle.closes, 0);
});

test('closed again after node-redis announced an attempt it will not make (destroyed during the pause), it returns at once', async () => {
  const conn = new FakeConnection();
  const dedicated = await connected(conn);
  conn.emit('error', new Error('Socket closed unexpectedly'));
  await dedicated.close(); // during the pause between attempts: closed at once
  assert.equal(conn.closes, 1);
  conn.emit('reconnecting'); // what node-redis 5 emits after the pause, before it sees the connection is closed
  let closed = false;
  const again = dedicated.close().then(() => (closed = true));
  await tick();
  assert.equal(closed, true, 'a second close waited for an attempt that never comes');
  await again;
});
