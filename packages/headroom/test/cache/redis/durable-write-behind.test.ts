/**
 * Durable write-behind on a Redis Stream: a process killed mid-flush loses no write; a second
 * process drains the rest; per key the last write wins and no older version lands after a
 * newer one.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Cache, durableWriteBehind, type WriteBehindEvent } from '../../../src/cache/index.js';
import { SHARED_REDIS_URL, connectClient, uniquePrefix } from '@headroom/testkit/redis-servers';
import { redisHashSource } from './hash-source.js';

const KEYS = 30;
const VERSIONS = 10;
/**
 * The killed child's source takes this long per write, so a batch is still in flight well after
 * the first writes land: the kill must find writes queued even when polling lags on a busy machine
 * (at 15 ms the child sometimes drained everything before the kill arrived).
 */
const CHILD_WRITE_MS = 250;
type Client = Awaited<ReturnType<typeof connectClient>>;
const children: ChildProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

test('a process killed mid-flush loses no write: a second process drains the rest, last write wins, never older over newer', async () => {
  const prefix = uniquePrefix('wb');
  const admin = await connectClient(SHARED_REDIS_URL);
  cleanups.push(async () => {
    for await (const keys of admin.scanIterator({ MATCH: `*${prefix}*`, COUNT: 500 })) if (keys.length > 0) await admin.del(keys);
    await admin.close();
  });
  const script = fileURLToPath(new URL('./durable-child.ts', import.meta.url));
  const child = fork(script, [SHARED_REDIS_URL, prefix, String(KEYS), String(VERSIONS), String(CHILD_WRITE_MS)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: { type: string }) => {
      if (m.type === 'enqueued') resolve();
    });
    child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
  const applied = async (): Promise<number> => {
    let n = 0;
    for (let k = 0; k < KEYS; k++) n += await admin.lLen(`${prefix}:log:k${k}`);
    return n;
  };
  while ((await applied()) < 5) await new Promise((resolve) => setTimeout(resolve, 5));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const stream = `{${prefix}:wb:wb}:stream`;
  const pendingAtKill = await admin.xLen(stream);
  assert.ok(pendingAtKill > 0, 'the child was killed with writes still queued');

  // A second process (here: this one) takes the lock once the dead drainer's lease expires.
  const client = await connectClient(SHARED_REDIS_URL);
  const sourceClient = await connectClient(SHARED_REDIS_URL);
  const queue = durableWriteBehind(new Cache<{ v: number }>({ namespace: 'wb' }), redisHashSource(sourceClient, prefix, 1), {
    client,
    prefix,
    lockTtl: '1s',
    block: '50ms',
  });
  cleanups.push(
    () => client.close(),
    () => sourceClient.close(),
    () => queue.close(),
  );
  const events: WriteBehindEvent[] = [];
  queue.on((e) => events.push(e));
  await queue.flush(15_000);
  assert.ok(queue.written > 0, 'the second process wrote the rest');
  for (let k = 0; k < KEYS; k++) {
    const key = `k${k}`;
    assert.deepEqual(JSON.parse((await admin.hGet(`${prefix}:source`, key))!), { v: VERSIONS }, `${key}: the last write wins`);
    const log = (await admin.lRange(`${prefix}:log:${key}`, 0, -1)).map(Number);
    assert.deepEqual(
      log,
      [...log].sort((a, b) => a - b),
      `${key}: applied in order, never older over newer (${log.join(',')})`,
    );
  }
  assert.equal(await admin.xLen(stream), 0);
  assert.equal(await admin.hLen(`{${prefix}:wb:wb}:latest`), 0);
  assert.ok(events.every((e) => e.type === 'written'));
});

test('reads through the durable queue see queued writes before the source has them', async () => {
  const prefix = uniquePrefix('wb-read');
  const client = await connectClient(SHARED_REDIS_URL);
  const sourceClient = await connectClient(SHARED_REDIS_URL);
  const other = await connectClient(SHARED_REDIS_URL);
  // The draining process is slow (1 s per write); a second process reads through its own queue object.
  const writer = durableWriteBehind(new Cache<{ v: number }>({ namespace: 'wb' }), redisHashSource(sourceClient, prefix, 1000), {
    client,
    prefix,
    lockTtl: '3s',
    block: '50ms',
  });
  const reader = durableWriteBehind(new Cache<{ v: number }>({ namespace: 'wb' }), redisHashSource(other, prefix, 1000), {
    client: other,
    prefix,
    lockTtl: '3s',
    block: '50ms',
  });
  cleanups.push(async () => {
    await writer.close();
    await reader.close();
    for await (const keys of client.scanIterator({ MATCH: `*${prefix}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
    await Promise.all([client.close(), sourceClient.close(), other.close()]);
  });
  await writer.set('a', { v: 1 });
  await writer.set('a', { v: 2 });
  assert.deepEqual(await reader.get('a'), { v: 2 });
});

test("a drainer killed between finishing an entry's two commands leaves nothing behind", async () => {
  const prefix = uniquePrefix('wb-crash');
  const admin = await connectClient(SHARED_REDIS_URL);
  const client = await connectClient(SHARED_REDIS_URL);
  const sourceClient = await connectClient(SHARED_REDIS_URL);
  cleanups.push(async () => {
    for await (const keys of admin.scanIterator({ MATCH: `*${prefix}*`, COUNT: 500 })) if (keys.length > 0) await admin.del(keys);
    await Promise.all([admin.close(), client.close(), sourceClient.close()]);
  });
  const script = fileURLToPath(new URL('./durable-crash-child.ts', import.meta.url));
  const child = fork(script, [SHARED_REDIS_URL, prefix], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  children.push(child);
  const signal = await new Promise((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
  assert.equal(signal, 'SIGKILL', 'the child died after its first finishing command');
  assert.deepEqual(await admin.lRange(`${prefix}:log:a`, 0, -1), ['1'], 'the child applied its write before dying');

  // The successor takes over once the dead drainer's lock expires; the stream must empty.
  const queue = durableWriteBehind(new Cache<{ v: number }>({ namespace: 'wb' }), redisHashSource(sourceClient, prefix, 1), {
    client,
    prefix,
    lockTtl: '1s',
    block: '50ms',
  });
  cleanups.push(() => queue.close()); // runs first: cleanups run in reverse
  await queue.flush(5_000);
  assert.deepEqual(await admin.lRange(`${prefix}:log:a`, 0, -1), ['1'], 'the write is not applied twice');
  const stream = `{${prefix}:wb:wb}:stream`;
  const deadline = Date.now() + 5_000;
  const pending = async (): Promise<number> => Number(((await admin.sendCommand(['XPENDING', stream, 'hr-drain'])) as unknown[])[0]);
  while ((await pending()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(await pending(), 0, 'no pending id is left');
  assert.equal(await admin.xLen(stream), 0);
});

test('a producer with drain: false only queues; flush() waits for the writes queued before it, not for the ones other producers keep adding', async () => {
  const prefix = uniquePrefix('wb-producer');
  const [admin, drainerClient, sourceClient, producerClient, busyClient] = (await Promise.all(
    [0, 1, 2, 3, 4].map(() => connectClient(SHARED_REDIS_URL)),
  )) as [Client, Client, Client, Client, Client];
  let busy = true;
  let busyLoop: Promise<void> = Promise.resolve();
  const queues: { close(): Promise<void> }[] = [];
  cleanups.push(async () => {
    busy = false;
    await busyLoop;
    for (const q of queues) await q.close();
    for await (const keys of admin.scanIterator({ MATCH: `*${prefix}*`, COUNT: 500 })) if (keys.length > 0) await admin.del(keys);
    await Promise.all([admin, drainerClient, sourceClient, producerClient, busyClient].map((c) => c.close()));
  });
  // The draining process writes slowly (50 ms a write, 20 at a time): the stream never empties
  // while another producer keeps adding to it as fast as it can.
  const drainer = durableWriteBehind(new Cache<{ v: number }>({ namespace: 'wb' }), redisHashSource(sourceClient, prefix, 50), {
    client: drainerClient,
    prefix,
    lockTtl: '2s',
    block: '50ms',
    batchSize: 20,
  });
  queues.push(drainer);
  const producerWrites: string[] = [];
  const notMySource = {
    get: () => Promise.resolve(undefined),
    set: (key: string) => {
      producerWrites.push(key);
      return Promise.resolve();
    },
    delete: (key: string) => {
      producerWrites.push(key);
      return Promise.resolve();
    },
  };
  const producer = durableWriteBehind(new Cache<{ v: number }>({ namespace: 'wb' }), notMySource, {
    client: producerClient,
    prefix,
    drain: false,
    block: '50ms',
  });
  const busyProducer = durableWriteBehind(new Cache<{ v: number }>({ namespace: 'wb' }), notMySource, {
    client: busyClient,
    prefix,
    drain: false,
    block: '50ms',
  });
  queues.push(producer, busyProducer);
  busyLoop = (async () => {
    for (let i = 0; busy && i < 50_000; i++) await busyProducer.set(`other-${i}`, { v: i });
  })();
  for (let k = 0; k < 5; k++) await producer.set(`mine-${k}`, { v: k });
  await producer.flush(20_000);
  for (let k = 0; k < 5; k++)
    assert.deepEqual(JSON.parse((await admin.hGet(`${prefix}:source`, `mine-${k}`))!), { v: k }, `mine-${k} reached the source`);
  assert.ok(
    (await admin.xLen(`{${prefix}:wb:wb}:stream`)) > 0,
    "the other producer's writes are still queued (flush did not wait for them)",
  );
  assert.deepEqual(producerWrites, [], 'a producer with drain: false wrote to the source');
  assert.equal(producer.written, 0);
});

test('flush() of a producer that does not drain, with no drainer anywhere, rejects naming the reason', async () => {
  const prefix = uniquePrefix('wb-nodrain');
  const client = await connectClient(SHARED_REDIS_URL);
  const producer = durableWriteBehind(new Cache<{ v: number }>({ namespace: 'wb' }), redisHashSource(client, prefix, 1), {
    client,
    prefix,
    drain: false,
  });
  cleanups.push(async () => {
    await producer.close();
    for await (const keys of client.scanIterator({ MATCH: `*${prefix}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
    await client.close();
  });
  await producer.set('k', { v: 1 });
  await assert.rejects(
    producer.flush(300),
    (error: Error & { code?: string }) =>
      error.code === 'HR_CACHE_WRITE_BEHIND_FAILED' && /does not drain/.test(String((error as { cause?: unknown }).cause)),
  );
});
