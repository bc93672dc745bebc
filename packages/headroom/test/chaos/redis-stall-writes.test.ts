/**
 * Chaos on a real redis-server at the moment of a write: the cache's durable write-behind queue
 * (its queue is a Redis Stream) in front of a source kept elsewhere (a hash on the shared Redis).
 *
 * - SIGSTOP while writes are in flight: nothing is acknowledged while the server is frozen, and
 *   once it resumes every write is acknowledged and reaches the source — none lost.
 * - SIGKILL mid-stream, then a restart on the same port and directory (append-only file,
 *   fsync always): every write acknowledged before the kill reaches the source once the server is
 *   back; writes refused during the outage were never acknowledged.
 * - A server without persistence restarted empty: the queue makes its consumer group again and
 *   drains what is written after the restart (what the server held before it is gone with it —
 *   why a durable queue wants the append-only file).
 *
 * The server is this test's own (a free port the OS picks, so no other test shares it), stopped by pid.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cache, durableWriteBehind, type DurableWriteBehind } from '../../src/cache/index.js';
import { SHARED_REDIS_URL, connectClient, startRedis, uniquePrefix, type OwnRedis } from '@headroom/testkit/redis-servers';

type Client = Awaited<ReturnType<typeof connectClient>>;
type Value = { v: number };

let server: OwnRedis;
const cleanups: (() => Promise<unknown>)[] = [];
before(async () => {
  server = await startRedis(0, ['--appendonly', 'yes', '--appendfsync', 'always']);
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await server?.stop();
});

/**
 * The source: values in a hash on the shared Redis (not the server under chaos). Writes wait for
 * `gate` to open, so acknowledged writes are still queued in the stream when the fault hits.
 */
function hashSource(client: Client, prefix: string, gate: Promise<void>) {
  return {
    async get(key: string): Promise<Value | undefined> {
      const raw = await client.hGet(`${prefix}:source`, key);
      return raw === null || raw === undefined ? undefined : (JSON.parse(raw) as Value);
    },
    async set(key: string, value: Value): Promise<void> {
      await gate;
      await client.hSet(`${prefix}:source`, key, JSON.stringify(value));
    },
    async delete(key: string): Promise<void> {
      await client.hDel(`${prefix}:source`, key);
    },
  };
}

/** A queue on `on` (the server under test), its source on the shared Redis; closed after the test. */
async function setup(
  label: string,
  on: OwnRedis = server,
): Promise<{ queue: DurableWriteBehind<Value>; source: Client; prefix: string; openGate: () => void; queued: () => Promise<number> }> {
  const prefix = uniquePrefix(label);
  const client = await connectClient(on.url);
  const source = await connectClient(SHARED_REDIS_URL);
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const queue = durableWriteBehind(new Cache<Value>({ namespace: label }), hashSource(source, prefix, gate), {
    client,
    prefix,
    lockTtl: '2s',
    block: '50ms',
    retryBackoff: { initial: '20ms', max: '200ms' },
  });
  cleanups.push(async () => {
    await queue.close();
    await client.close().catch(() => undefined);
    await source.del(`${prefix}:source`);
    await source.close();
  });
  const queued = async (): Promise<number> => {
    const admin = await connectClient(on.url);
    try {
      return await admin.xLen(`{${prefix}:${label}:wb}:stream`);
    } finally {
      await admin.close();
    }
  };
  return { queue, source, prefix, openGate, queued };
}

/** Every acknowledged write's value is in the source (each write has its own key). */
async function assertAllInSource(source: Client, prefix: string, acknowledged: Map<string, number>): Promise<void> {
  const stored = await source.hGetAll(`${prefix}:source`);
  const missing = [...acknowledged].filter(([key, v]) => stored[key] !== JSON.stringify({ v }));
  assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.size} acknowledged writes are not in the source`);
}

test('SIGSTOP at the moment of a write: nothing acknowledged while frozen; after SIGCONT every write is acknowledged and reaches the source', async () => {
  const { queue, source, prefix, openGate, queued } = await setup('chaos-stop');
  const acknowledged = new Map<string, number>();
  const write = (i: number): Promise<void> => queue.set(`k${i}`, { v: i }).then(() => void acknowledged.set(`k${i}`, i));
  for (let i = 0; i < 20; i++) await write(i);
  // Freeze in the same tick as the next writes are sent: they are in flight when the server stops.
  const inFlight = Array.from({ length: 20 }, (_, i) => write(20 + i));
  server.freeze();
  const frozenAt = acknowledged.size;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(acknowledged.size, frozenAt, 'no write is acknowledged while Redis is frozen');
  server.thaw();
  await Promise.all(inFlight);
  assert.equal(acknowledged.size, 40, 'every write is acknowledged once Redis resumes');
  assert.ok((await queued()) >= 40, 'the writes are queued, not yet in the source');
  openGate();
  await queue.flush(10_000);
  await assertAllInSource(source, prefix, acknowledged);
});

test('SIGKILL mid-stream, then restart (AOF, fsync always): every write acknowledged before the kill reaches the source', async () => {
  const { queue, source, prefix, openGate, queued } = await setup('chaos-kill');
  const acknowledged = new Map<string, number>();
  let refused = 0;
  const write = (i: number): Promise<void> =>
    queue.set(`k${i}`, { v: i }).then(
      () => void acknowledged.set(`k${i}`, i),
      () => void refused++,
    );
  for (let i = 0; i < 20; i++) await write(i);
  assert.ok((await queued()) >= 20, 'the acknowledged writes are queued, not yet in the source, when the server dies');
  const inFlight = Array.from({ length: 20 }, (_, i) => write(20 + i));
  await server.kill();
  await Promise.all(inFlight);
  for (let i = 40; i < 50; i++) await write(i); // refused: the server is down
  assert.ok(refused >= 10, `writes during the outage are refused, not acknowledged (refused ${refused})`);
  await server.restart();
  for (let i = 50; i < 60; i++) {
    // The client reconnects on its own; retry until it has.
    for (let attempt = 0; !acknowledged.has(`k${i}`) && attempt < 100; attempt++) {
      await write(i);
      if (!acknowledged.has(`k${i}`)) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  assert.ok(acknowledged.has('k59'), 'writes are acknowledged again after the restart');
  openGate();
  await queue.flush(15_000);
  await assertAllInSource(source, prefix, acknowledged);
});

test('a server without persistence restarted empty: the queue makes its group again and drains the writes that follow', async () => {
  const bare = await startRedis(0);
  cleanups.push(() => bare.stop());
  const { queue, source, prefix, openGate } = await setup('chaos-empty', bare);
  openGate();
  await queue.set('before', { v: 1 });
  await queue.flush(5_000);
  await bare.kill();
  await bare.restart();
  const acknowledged = new Map<string, number>();
  for (let i = 0; i < 10; i++) {
    // The client reconnects on its own; retry until it has.
    for (let attempt = 0; !acknowledged.has(`k${i}`) && attempt < 100; attempt++) {
      await queue.set(`k${i}`, { v: i }).then(
        () => void acknowledged.set(`k${i}`, i),
        () => new Promise((resolve) => setTimeout(resolve, 50)),
      );
    }
  }
  assert.equal(acknowledged.size, 10, 'writes are acknowledged again after the restart');
  await queue.flush(5_000);
  await assertAllInSource(source, prefix, acknowledged);
});
