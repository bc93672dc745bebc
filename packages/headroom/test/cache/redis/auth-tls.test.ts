/**
 * AUTH and TLS pass through: the Redis tier uses the client it is given, and the extra
 * connections it opens (pub/sub subscriber, tracking) are duplicates that inherit the
 * credentials and TLS settings. Own servers: ACL user on 7105, TLS-only on 7106.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { createCache, redisTier, type Cache } from '../../../src/cache/index.js';
import { startRedis, type OwnRedis } from '@headroom/testkit/redis-servers';

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

type Client = ReturnType<typeof createClient>;

async function twoInstances(makeClient: () => Client, invalidation: 'pubsub' | 'tracking'): Promise<[Cache<string>, Cache<string>]> {
  const caches = await Promise.all(
    [0, 1].map(async () => {
      const client = makeClient();
      client.on('error', () => {});
      await client.connect();
      const cache = createCache<string>({ namespace: 'secure', ttl: '1m', l2: redisTier<string>({ client, invalidation }) });
      cleanups.push(
        () => cache.close(),
        () => client.close(),
      );
      return cache;
    }),
  );
  return caches as [Cache<string>, Cache<string>];
}

async function invalidationWorks(a: Cache<string>, b: Cache<string>): Promise<void> {
  await a.set('k', 'v1');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(await b.getOrLoad('k', () => 'db'), 'v1');
  assert.equal(b.stats().l2Hits, 1);
  const heard = new Promise<void>((resolve) => {
    const sub = b.on((e) => {
      if (e.type === 'invalidated' && e.origin === 'remote') {
        sub.dispose();
        resolve();
      }
    });
  });
  await a.delete('k');
  await heard; // the subscriber / tracking connection authenticated and is listening
  assert.equal(b.has('k'), false);
}

test('AUTH: an ACL user and password on the client carry over to every connection the tier opens', async () => {
  const server = await startRedis(
    7105,
    ['--user', 'default', 'off', '--user', 'app', 'on', '>app-secret', '~*', '&*', '+@all'],
    ['--user', 'app', '--pass', 'app-secret', '--no-auth-warning'],
  );
  servers.push(server);
  const make = (): Client =>
    createClient({ url: 'redis://127.0.0.1:7105', username: 'app', password: 'app-secret', disableOfflineQueue: true });
  for (const mode of ['pubsub', 'tracking'] as const) {
    const [a, b] = await twoInstances(make, mode);
    await invalidationWorks(a, b);
  }
  const wrong = createClient({ url: 'redis://127.0.0.1:7105', username: 'app', password: 'nope', socket: { reconnectStrategy: false } });
  wrong.on('error', () => {});
  await assert.rejects(wrong.connect(), /WRONGPASS|invalid username-password/);
});

test('TLS: a TLS client carries over to the subscriber and tracking connections', async () => {
  const server = await startRedis(
    7106,
    [
      '--tls-port',
      '7106',
      '--tls-cert-file',
      join(dir, 'server.crt'),
      '--tls-key-file',
      join(dir, 'server.key'),
      '--tls-ca-cert-file',
      join(dir, 'ca.crt'),
      '--tls-auth-clients',
      'no',
    ],
    ['--tls', '--cacert', join(dir, 'ca.crt')],
  );
  servers.push(server);
  const ca = readFileSync(join(dir, 'ca.crt'));
  const make = (): Client => createClient({ socket: { host: '127.0.0.1', port: 7106, tls: true, ca }, disableOfflineQueue: true });
  for (const mode of ['pubsub', 'tracking'] as const) {
    const [a, b] = await twoInstances(make, mode);
    await invalidationWorks(a, b);
  }
});
