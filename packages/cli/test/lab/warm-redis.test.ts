/**
 * The warm-up replay through the Redis tier when Redis stops answering: a real redis-server,
 * frozen with SIGSTOP mid-replay. The replay must finish, count what failed, and leave the cache
 * usable — a warm-up is best effort, and one frozen dependency must not throw away the lab's run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisClientType, createClient } from 'redis';
import type { RedisLike } from 'headroom/cache';
import { systemClock, SeededRandom } from 'headroom';
import { IDLE_PHASE, ReplicaService } from '../../src/lab/service/replica.js';
import { openSqliteStore, seedSqlite } from '../../src/lab/service/sqlite-store.js';
import { type OwnRedis, startRedis } from '@headroom/testkit/redis-servers';

let dir = '';
let server: OwnRedis;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-lab-warm-redis-'));
  seedSqlite(join(dir, 'catalog.db'), 2_000, new SeededRandom(3));
  server = await startRedis(0);
});

after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a Redis frozen mid-replay: the warm-up finishes, counts its failures, and the cache still serves', async () => {
  const store = openSqliteStore(join(dir, 'catalog.db'));
  const redis = createClient({ url: server.url, disableOfflineQueue: true }) as RedisClientType;
  redis.on('error', () => undefined);
  await redis.connect();
  const init = { index: 0, port: 0, store: { kind: 'sqlite' as const, path: '' }, redisUrl: server.url, keyPrefix: 'warm-test' };
  const service = await ReplicaService.create(init, store, systemClock, redis as unknown as RedisLike);
  try {
    await service.configure({ ...IDLE_PHASE, phase: 'warm', cache: { mode: 'cache', maxEntries: 1_000, ttlMs: 60_000, hotKey: null } });
    // Request i at 10·i ms: product 1 + i mod 200 (the frozen block's products 201–400 are new), every tenth a write.
    const block = (from: number, n: number) => ({
      atMs: Array.from({ length: n }, (_, i) => (from + i) * 10),
      ids: Array.from({ length: n }, (_, i) => 1 + ((from + i) % 200) + (from >= 400 ? 200 : 0)),
      writes: Array.from({ length: n }, (_, i) => ((from + i) % 10 === 9 ? 1 : 0)),
    });
    const healthy = await service.warm(block(0, 400));
    assert.equal(healthy.failed, 0, healthy.error ?? '');
    assert.ok(healthy.reads > 300 && healthy.queries > 0 && healthy.queries < healthy.reads);
    server.freeze();
    const frozen = await service.warm(block(400, 200));
    server.thaw();
    // It finished, and every request is accounted for: a read replayed (from L1, the tier or the
    // store) or a failure counted. Deletes cannot reach a frozen tier and reject (the cache's rule
    // for invalidations); they are what fails here.
    assert.ok(frozen.failed > 0, JSON.stringify(frozen));
    assert.ok(frozen.reads + frozen.failed >= 180 && frozen.reads + frozen.failed <= 200, JSON.stringify(frozen));
    assert.match(frozen.error ?? '', /redis|Redis|circuit|tier/, JSON.stringify(frozen));
    // Redis is back: the cache serves reads again.
    const product = await service.app.inject({ method: 'GET', url: '/products/5' });
    assert.equal(product.statusCode, 200);
  } finally {
    await service.close();
    await store.close();
    if (redis.isOpen) redis.destroy();
  }
});
