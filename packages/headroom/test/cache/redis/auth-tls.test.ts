/**
 * AUTH and TLS pass through: the Redis tier uses the client it is given, and the extra
 * connections it opens (pub/sub subscriber, tracking) are duplicates that inherit the
 * credentials and TLS settings — with node-redis and with ioredis. Own servers on free ports: one
 * with an ACL user, one TLS-only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { createClient, type RedisClientOptions } from 'redis';
import { redisTier, Cache, type RedisTierOptions } from '../../../src/cache/index.js';
import { startRedis, type OwnRedis } from '@headroom/testkit/redis-servers';
import { writerBarrier } from './barrier.js';

const dir = mkdtempSync(join(tmpdir(), 'hr-tls-'));
const servers: OwnRedis[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

before(() => {
  // A throwaway CA and a server certificate for 127.0.0.1.
  const run = (args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=headroom-test-ca',
  ]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
  ]);
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** A connected client of either library, made from its own options. */
type Connect = () => Promise<{ client: RedisTierOptions<string>['client']; close(): Promise<unknown> }>;

/** The same server and credentials through node-redis and through ioredis. */
function clients(nodeRedis: RedisClientOptions, ioredis: RedisOptions): [string, Connect][] {
  return [
    [
      'node-redis',
      async () => {
        const client = createClient({ ...nodeRedis, disableOfflineQueue: true });
        client.on('error', () => {});
        await client.connect();
        return { client, close: () => client.close() };
      },
    ],
    [
      'ioredis',
      async () => {
        const client = new Redis({ ...ioredis, enableOfflineQueue: false, lazyConnect: true });
        client.on('error', () => {});
        await client.connect();
        return { client, close: async () => client.disconnect() };
      },
    ],
  ];
}

async function twoInstances(connect: Connect, invalidation: 'pubsub' | 'tracking'): Promise<[Cache<string>, Cache<string>]> {
  const caches = await Promise.all(
    [0, 1].map(async () => {
      const { client, close } = await connect();
      const cache = new Cache<string>({
        namespace: `secure-${invalidation}`,
        ttl: '1m',
        l2: redisTier<string>({ client, invalidation }),
      });
      cleanups.push(() => cache.close(), close);
      return cache;
    }),
  );
  return caches as [Cache<string>, Cache<string>];
}

async function invalidationWorks(a: Cache<string>, b: Cache<string>): Promise<void> {
  await a.set('k', 'v1');
  // b listens, and the set's notifications have reached it (a late one would drop b's copy and
  // stand in for the delete's below).
  await writerBarrier((marker) => a.set(marker, 'marker'), [b as Cache<unknown>]);
  assert.equal(await b.getOrLoad('k', () => 'db'), 'v1');
  assert.equal(b.stats().l2Hits, 1);
  assert.equal(b.has('k'), true);
  const heard = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the delete's notification did not arrive within 10 s")), 10_000);
    const sub = b.on((e) => {
      if (e.type === 'invalidated' && e.origin === 'remote' && e.target === 'k') {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      }
    });
  });
  await a.delete('k');
  await heard; // the subscriber / tracking connection authenticated and is listening
  assert.equal(b.has('k'), false);
}

test('AUTH: an ACL user and password on the client (node-redis, ioredis) carry over to every connection the tier opens', async () => {
  const server = await startRedis(
    0,
    ['--user', 'default', 'off', '--user', 'app', 'on', '>app-secret', '~*', '&*', '+@all'],
    ['--user', 'app', '--pass', 'app-secret', '--no-auth-warning'],
  );
  servers.push(server);
  const libraries = clients(
    { url: server.url, username: 'app', password: 'app-secret' },
    { host: '127.0.0.1', port: server.port, username: 'app', password: 'app-secret' },
  );
  for (const [library, connect] of libraries) {
    for (const mode of ['pubsub', 'tracking'] as const) {
      const [a, b] = await twoInstances(connect, mode);
      await invalidationWorks(a, b).catch((error: Error) => assert.fail(`${library}, ${mode}: ${error.message}`));
    }
  }
  const wrong = createClient({ url: server.url, username: 'app', password: 'nope', socket: { reconnectStrategy: false } });
  wrong.on('error', () => {});
  await assert.rejects(wrong.connect(), /WRONGPASS|invalid username-password/);
});

test('TLS: a TLS client (node-redis, ioredis) carries over to the subscriber and tracking connections', async () => {
  const server = await startRedis(0, [], [], { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), ca: join(dir, 'ca.crt') });
  servers.push(server);
  const ca = readFileSync(join(dir, 'ca.crt'));
  const libraries = clients(
    { socket: { host: '127.0.0.1', port: server.port, tls: true, ca } },
    { host: '127.0.0.1', port: server.port, tls: { ca } },
  );
  for (const [library, connect] of libraries) {
    for (const mode of ['pubsub', 'tracking'] as const) {
      const [a, b] = await twoInstances(connect, mode);
      await invalidationWorks(a, b).catch((error: Error) => assert.fail(`${library}, ${mode}: ${error.message}`));
    }
  }
});
