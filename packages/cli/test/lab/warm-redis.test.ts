/**
 * The warm-up replay through the Redis tier when Redis stops answering: a real redis-server,
 * frozen with SIGSTOP mid-replay. The replay must finish, count what failed, and leave the cache
 * usable — a warm-up is best effort, and one frozen dependency must not throw away the lab's run.
 * And while Redis answers, nothing fails, however far the replay jumps ahead in replayed time.
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

/**
 * A replica on the test's redis-server, its cache configured for one phase, passed to `use`.
 * The tier's per-call timeout is 500 ms unless given, as in the cache's own frozen-server tests: on
 * a busy machine (load 8–15, CPU hogs beside) a healthy call now and then takes 300+ ms, which the
 * default 250 ms would count as a failure. A frozen server answers nothing, so its calls still time out.
 */
async function withReplica(phase: string, use: (service: ReplicaService) => Promise<void>, redisTimeoutMs = 500): Promise<void> {
  const store = openSqliteStore(join(dir, 'catalog.db'));
  const redis = createClient({ url: server.url, disableOfflineQueue: true }) as RedisClientType;
  redis.on('error', () => undefined);
  await redis.connect();
  const init = {
    index: 0,
    port: 0,
    store: { kind: 'sqlite' as const, path: '' },
    redisUrl: server.url,
    keyPrefix: `warm-test-${phase}`,
    redisTimeoutMs,
  };
  const service = await ReplicaService.create(init, store, systemClock, redis as unknown as RedisLike);
  try {
    await service.configure({ ...IDLE_PHASE, phase, cache: { mode: 'cache', maxEntries: 1_000, ttlMs: 60_000, hotKey: null } });
    await use(service);
  } finally {
    await service.close();
    await store.close();
    if (redis.isOpen) redis.destroy();
  }
}

/** Request i at `stepMs`·i ms of replayed time: product 1 + i mod 200 (in a block from request 400 on: 201–400, new to the cache), every tenth a write. */
function block(from: number, n: number, stepMs = 10) {
  return {
    atMs: Array.from({ length: n }, (_, i) => (from + i) * stepMs),
    ids: Array.from({ length: n }, (_, i) => 1 + ((from + i) % 200) + (from >= 400 ? 200 : 0)),
    writes: Array.from({ length: n }, (_, i) => ((from + i) % 10 === 9 ? 1 : 0)),
  };
}

test('a replay seconds apart per request: the tier times its calls in real time, and none fails', async () => {
  // 5 s of replayed time pass between requests while a dozen of them are on the wire: timed on
  // replayed time, every call would be seconds old at once, and time out whenever the tier's timer
  // next fires (4,000 requests keep the replay going for seconds of real time, so it does; measured
  // before the fix: 137 and 176 of them failed, the breaker open).
  // The timeout is 1 s here: at load 20 with CPU hogs beside, a 500 ms one once timed out for real.
  // Each product comes back after 1,000 s, past its 60 s TTL: every read misses and goes through
  // the tier (read, lease, store).
  await withReplica(
    'spread',
    async (service) => {
      const spread = await service.warm(block(0, 4_000, 5_000));
      assert.equal(spread.failed, 0, spread.error ?? '');
      assert.equal(spread.reads, 3_600);
      assert.equal(spread.queries, spread.reads, JSON.stringify(spread));
    },
    1_000,
  );
});

test('a Redis frozen mid-replay: the warm-up finishes, counts its failures, and the cache still serves', async () => {
  await withReplica('warm', async (service) => {
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
  });
});
