/**
 * The Redis tier against the machine's Redis (127.0.0.1:6379), with a key prefix unique to
 * this run. Two caches with their own connections stand for two instances of a service. The
 * suite runs once per client library (node-redis, ioredis), each under its own prefix.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { redisTier, bytesCodec, Cache, type CacheEvent, type CacheOptions, type RedisTierOptions } from '../../../src/cache/index.js';
import { SeededRandom } from '../../../src/core/random.js';
import { SHARED_REDIS_URL, connectClient, uniquePrefix } from '@headroom/testkit/redis-servers';
import { RESP_TYPES } from 'redis';
import { RESP_BLOB_STRING } from '../../../src/cache/adapters/client-node-redis.js';
import { writerBarrier } from './barrier.js';
import { CLIENT_LIBRARIES, type ClientLibrary, type TestClient } from './clients.js';

type Client = Awaited<ReturnType<typeof connectClient>>;
const clients: TestClient[] = [];
const caches: Cache<unknown>[] = [];
let admin: Client;
const runPrefix = uniquePrefix('tier');

before(async () => {
  admin = await connectClient(SHARED_REDIS_URL);
});

after(async () => {
  await Promise.all(caches.map((c) => c.close()));
  // Remove this run's keys (by prefix only: other helpers share this Redis).
  for await (const keys of admin.scanIterator({ MATCH: `${runPrefix}-*`, COUNT: 500 })) if (keys.length > 0) await admin.del(keys);
  await Promise.all(clients.map((c) => c.close()));
  await admin.close();
});

/** A new connection of `library`, closed after the file. */
async function connect(library: ClientLibrary): Promise<TestClient['client']> {
  const client = await library.connect(SHARED_REDIS_URL);
  clients.push(client);
  return client.client;
}

async function instanceOf<V>(
  library: ClientLibrary,
  prefix: string,
  namespace: string,
  options: Partial<CacheOptions<V>> & {
    invalidation?: 'pubsub' | 'tracking';
    leaseGrace?: string;
    leaseTtl?: string;
    timeout?: string;
  } = {},
): Promise<Cache<V>> {
  const client = await connect(library);
  const { invalidation, leaseGrace, leaseTtl, timeout, ...rest } = options;
  const cache = new Cache<V>({
    namespace,
    ttl: '1m',
    random: new SeededRandom(caches.length + 1),
    l2: redisTier<V>({
      client,
      prefix,
      timeout: timeout ?? '1s',
      leaseTtl: leaseTtl ?? '2s',
      ...(invalidation === undefined ? {} : { invalidation }),
      ...(leaseGrace === undefined ? {} : { leaseGrace }),
    }),
    ...rest,
  });
  caches.push(cache as Cache<unknown>);
  return cache;
}

/** Resolves once the lease `key` exists in Redis (an instance took it), instead of a fixed wait. */
async function leaseTaken(key: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await admin.exists(key)) === 0) {
    assert.ok(Date.now() < deadline, `${key} was not taken within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Resolves once `to` has received every notification of `from`'s earlier writes (and listens):
 * a marker written through `from` was heard by `to` (see {@link writerBarrier}).
 */
function settle(from: Cache<string>, to: Cache<string>): Promise<void> {
  return writerBarrier((marker) => from.set(marker, 'marker'), [to as Cache<unknown>]);
}

/** Resolves with the first event matching `match`, or rejects after `ms` (it normally comes within milliseconds). */
function nextEvent(cache: Cache<unknown>, match: (e: CacheEvent) => boolean, ms = 10_000): Promise<CacheEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`event did not arrive within ${ms} ms`));
    }, ms);
    const sub = cache.on((e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e);
    });
  });
}

test("the tier's own RESP blob-string type byte is node-redis's (it is not imported, so the cache loads no Redis client)", () => {
  assert.equal(RESP_BLOB_STRING, RESP_TYPES.BLOB_STRING);
});

test('a client of neither library is refused at construction, naming both', () => {
  for (const client of [{}, { get: () => Promise.resolve(null) }, null]) {
    assert.throws(
      () => redisTier({ client: client as unknown as RedisTierOptions<unknown>['client'] }),
      (error: { code?: string; message?: string }) =>
        error.code === 'HR_CACHE_INVALID_OPTION' && /node-redis/.test(error.message ?? '') && /ioredis/.test(error.message ?? ''),
    );
  }
});

for (const library of CLIENT_LIBRARIES) suite(library);

/** The tier's tests over one client library. */
function suite(library: ClientLibrary): void {
  const prefix = `${runPrefix}-${library.name}`;
  const instance = <V>(namespace: string, options: Parameters<typeof instanceOf<V>>[3] = {}): Promise<Cache<V>> =>
    instanceOf<V>(library, prefix, namespace, options);

  test(`${library.name}: L2 store: a value set on one instance is served to another from Redis, with the hard TTL and the namespace prefix`, async () => {
    const a = await instance<{ name: string }>('users', { ttl: 60_000, staleWhileRevalidate: 30_000 });
    const b = await instance<{ name: string }>('users', { ttl: 60_000, staleWhileRevalidate: 30_000 });
    const setAt = performance.now();
    await a.set('u1', { name: 'ann' });
    const keys = await admin.keys(`${prefix}:users:*`);
    assert.deepEqual(keys, [`${prefix}:users:0:{u1}`]);
    const pttl = await admin.pTTL(keys[0]!);
    // Less only by the time since the set began (a busy machine may take seconds for these calls).
    const since = performance.now() - setAt;
    assert.ok(
      pttl >= 90_000 - since - 1 && pttl <= 90_000,
      `PTTL ${pttl} ${Math.round(since)} ms after the set should match the hard TTL (60 s + 30 s)`,
    );
    let calls = 0;
    assert.deepEqual(
      await b.getOrLoad('u1', () => {
        calls++;
        return { name: 'db' };
      }),
      { name: 'ann' },
    );
    assert.equal(calls, 0);
    assert.equal(b.stats().l2Hits, 1);
    assert.deepEqual(b.getSync('u1'), { name: 'ann' }); // the L2 hit filled L1
  });

  for (const invalidation of ['pubsub', 'tracking'] as const) {
    test(`${library.name}: invalidation across instances (${invalidation}): delete, set, invalidateTag and clear reach the other L1 within milliseconds`, async () => {
      const ns = `inv-${invalidation}`;
      const a = await instance<string>(ns, { invalidation });
      const b = await instance<string>(ns, { invalidation });
      await a.set('k', 'v1', { tags: ['t'] });
      assert.equal(await b.getOrLoad('k', () => 'db'), 'v1');
      // a's own write notification may reach b after b's read and drop the copy: wait until it has.
      await settle(a, b);
      assert.equal(await b.getOrLoad('k', () => 'db'), 'v1');
      assert.equal(b.getSync('k'), 'v1');
      let gone = nextEvent(b as Cache<unknown>, (e) => e.type === 'invalidated' && e.origin === 'remote' && e.target === 'k');
      await a.delete('k');
      await gone;
      assert.equal(b.has('k'), false);

      await a.set('k', 'v2', { tags: ['t'] });
      await settle(a, b);
      assert.equal(await b.getOrLoad('k', () => 'db'), 'v2');
      gone = nextEvent(b as Cache<unknown>, (e) => e.type === 'invalidated' && e.origin === 'remote' && e.target === 'k');
      await a.set('k', 'v3', { tags: ['t'] });
      await gone;
      assert.equal(await b.getOrLoad('k', () => 'db'), 'v3');

      await settle(a, b);
      assert.equal(await b.getOrLoad('k', () => 'db'), 'v3');
      gone = nextEvent(b as Cache<unknown>, (e) => e.type === 'invalidated' && e.scope === 'tag' && e.origin === 'remote');
      await a.invalidateTag('t');
      await gone;
      assert.equal(b.has('k'), false);
      assert.equal(await b.getOrLoad('k', () => 'reloaded'), 'reloaded'); // the tag version retired the L2 copy too

      await a.set('x', 'y');
      await settle(a, b);
      assert.equal(await b.getOrLoad('x', () => 'db'), 'y');
      assert.equal(b.has('x'), true);
      gone = nextEvent(b as Cache<unknown>, (e) => e.type === 'invalidated' && e.scope === 'clear' && e.origin === 'remote');
      await a.clear();
      await gone;
      assert.equal(b.size, 0);
      assert.equal(await b.getOrLoad('x', () => 'after-clear'), 'after-clear'); // the namespace version retired L2
    });
  }

  test(`${library.name}: cross-instance single-flight: two instances, 200 concurrent callers each, one loader run in total`, async () => {
    const a = await instance<string>('lease');
    const b = await instance<string>('lease');
    let calls = 0;
    const loader = async (): Promise<string> => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return 'loaded';
    };
    const all = await Promise.all([
      ...Array.from({ length: 200 }, () => a.getOrLoad('hot', loader)),
      ...Array.from({ length: 200 }, () => b.getOrLoad('hot', loader)),
    ]);
    assert.equal(calls, 1);
    assert.ok(all.every((v) => v === 'loaded'));
  });

  test(`${library.name}: a delete on another instance voids the outstanding lease: the late load is not stored anywhere`, async () => {
    const a = await instance<string>('void');
    const b = await instance<string>('void');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const loading = a.getOrLoad('k', async () => {
      await gate;
      return 'old';
    });
    await leaseTaken(`${prefix}:void:0:{k}:lease`); // a holds the lease now
    await b.delete('k');
    release();
    assert.equal(await loading, 'old'); // a's caller began before the delete
    assert.equal(await admin.exists(`${prefix}:void:0:{k}`), 0);
    assert.equal(a.has('k'), false);
    assert.equal(a.stats().staleSetsRefused, 1);
    assert.equal(await b.getOrLoad('k', () => 'fresh'), 'fresh');
  });

  test(`${library.name}: a load that outlasts the lease grace keeps its lease alive: the other instance waits for it, one loader run in total`, async () => {
    const a = await instance<string>('renew', { leaseGrace: '1s', leaseTtl: '10s', timeout: '250ms' });
    const b = await instance<string>('renew', { leaseGrace: '1s', leaseTtl: '10s', timeout: '250ms' });
    let calls = 0;
    const loader = async (): Promise<string> => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 2500)); // 2.5 leases' grace
      return 'slow';
    };
    const first = a.getOrLoad('slow', loader);
    await leaseTaken(`${prefix}:renew:0:{slow}:lease`); // a holds the lease
    const [x, y] = await Promise.all([first, b.getOrLoad('slow', loader)]);
    assert.deepEqual([x, y, calls], ['slow', 'slow', 1]);
    assert.equal(await admin.exists(`${prefix}:renew:0:{slow}:lease`), 0, 'the lease is gone once the value is stored');
  });

  test(`${library.name}: a lease whose holder died expires by TTL; the waiter then loads`, async () => {
    const a = await instance<string>('dead');
    // A lease taken and never released, as by a process that crashed mid-load.
    await admin.set(`${prefix}:dead:0:{k}:lease`, 'dead-holder', { PX: 300 });
    const started = Date.now();
    assert.equal(await a.getOrLoad('k', () => 'loaded-after-expiry'), 'loaded-after-expiry');
    const waited = Date.now() - started;
    assert.ok(waited >= 250, `waited ${waited} ms for the dead lease`);
  });

  test(`${library.name}: getOrLoadMany with L2: one MGET, one batch call for the keys missing everywhere, results written back`, async () => {
    const a = await instance<string>('batch');
    const b = await instance<string>('batch');
    await a.set('a', 'A');
    await a.set('b', 'B');
    const calls: string[][] = [];
    const values = await b.getOrLoadMany(['a', 'b', 'c', 'd', 'c'], async (keys) => {
      calls.push([...keys]);
      return keys.map((k) => k.toUpperCase());
    });
    assert.deepEqual(values, ['A', 'B', 'C', 'D', 'C']);
    assert.deepEqual(calls, [['c', 'd']]);
    let later = 0;
    assert.equal(
      await a.getOrLoad('d', () => {
        later++;
        return 'x';
      }),
      'D',
    ); // written back to L2
    assert.equal(later, 0);
  });

  test(`${library.name}: single-key L2 reads issued in one tick go to Redis as one MGET; tags, misses and invalid entries are still told apart`, async () => {
    const a = await instance<string>('auto-batch');
    const b = await instance<string>('auto-batch');
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    for (const [i, k] of keys.entries()) await a.set(k, `v${i}`, i < 4 ? { tags: ['t'] } : {});
    await b.getOrLoad('warm-up', () => 'w'); // b's namespace version is read and its channel is up
    await b.invalidateTag('t'); // retires k0…k3; b now knows the tag's current version
    const before = b.stats().l2!.calls;
    let loads = 0;
    const values = await Promise.all(
      keys.slice(4).map((k) =>
        b.getOrLoad(k, () => {
          loads++;
          return 'loaded';
        }),
      ),
    );
    assert.deepEqual(
      values,
      keys.slice(4).map((_, i) => `v${i + 4}`),
    );
    assert.equal(loads, 0);
    assert.equal(b.stats().l2!.calls - before, 1, '36 concurrent L2 hits should cost one Redis call');
    // Entries written under an older tag version are misses: each is loaded (after its lease).
    const retired = await Promise.all(
      keys.slice(0, 4).map((k) =>
        b.getOrLoad(k, () => {
          loads++;
          return `new ${k}`;
        }),
      ),
    );
    assert.deepEqual(
      retired,
      keys.slice(0, 4).map((k) => `new ${k}`),
    );
    assert.equal(loads, 4);
    assert.equal(b.stats().l2Errors, 0);
  });

  test(`${library.name}: security: values from Redis are parsed without prototype pollution; odd keys and tags are plain data`, async () => {
    const a = await instance<Record<string, unknown>>('sec');
    // An entry planted by an attacker: a valid header, then JSON that tries to pollute prototypes.
    const header = Buffer.alloc(19);
    header.writeUInt8(1, 0);
    header.writeDoubleLE(Infinity, 1);
    header.writeDoubleLE(Infinity, 9);
    const planted = (json: string): Buffer => Buffer.concat([header, Buffer.from(json)]);
    await admin.set(
      `${prefix}:sec:0:{evil}`,
      planted('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"ok":1}'),
    );
    await admin.set(`${prefix}:sec:0:{evil2}`, planted('{"\\u005f_proto__":{"polluted":true},"ok":2}'));
    assert.deepEqual(await a.getOrLoad('evil2', () => ({})), { ok: 2 });
    assert.equal(Object.hasOwn((await a.getOrLoad('evil2', () => ({})))!, '__proto__'), false);
    const value = await a.getOrLoad('evil', () => ({}));
    assert.deepEqual(value, { ok: 1 });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    const odd = `k'"]) redis.call('FLUSHALL') --{}\n`;
    await a.set(odd, { v: 1 }, { tags: [`t'"{}]]--`] });
    assert.deepEqual(await a.getOrLoad(odd, () => ({ v: 2 })), { v: 1 });
    assert.equal(await a.invalidateTag(`t'"{}]]--`), 1);
    assert.ok((await admin.dbSize()) > 0);
  });

  test(`${library.name}: bytes codec: Buffers round-trip through Redis unchanged`, async () => {
    const a = new Cache<Uint8Array>({
      namespace: 'bytes',
      l2: redisTier({ client: await connect(library), prefix, codec: bytesCodec() }),
    });
    const b = new Cache<Uint8Array>({
      namespace: 'bytes',
      l2: redisTier({ client: await connect(library), prefix, codec: bytesCodec() }),
    });
    caches.push(a as Cache<unknown>, b as Cache<unknown>);
    const bytes = Buffer.from([0, 10, 255, 13, 10, 0]);
    await a.set('blob', bytes);
    assert.deepEqual(Buffer.from((await b.getOrLoad('blob', () => Buffer.alloc(0)))!), bytes);
  });
}
