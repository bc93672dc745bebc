/**
 * No stale set across instances, on the machine's Redis: the model of no-stale-set-model.ts run
 * against two cache instances sharing one Redis tier (each with its own connections), under
 * pub/sub and tracking invalidation, through every invalidation path — delete, set,
 * invalidateTag and clear, issued by either instance while the other loads. Besides both L1s,
 * it checks what Redis itself would serve a third instance (a bare tier reading every key).
 *
 * Notifications between the instances are held back until the commands deliver them, so a
 * load can finish while the invalidation that voids it is still on its way — the race only the
 * shared tier (leases, tag versions recorded at lease time) can stop. What Redis serves must
 * be current at every step, delivered or not.
 *
 * Determinism: the caches run on one virtual clock (TTLs, stale windows, lease renewals);
 * before each check the harness waits until no tier call of either instance is in flight and
 * a notification barrier has reached every tier — so a command's effects at Redis are complete
 * before the next one starts, as in the in-process test.
 *
 * The property runs with node-redis (150 runs per invalidation mode) and with ioredis (30: the
 * client is what differs, not the model, and the runs cost seconds each on a busy machine).
 *
 * Two mutants (on node-redis) show the property sees the race across instances: one whose leased stores ignore
 * their lease (an invalidation voids it in vain), and one that records tag versions at store
 * time instead of at lease time (the bug this test was written for). Each performs the racing
 * invalidation for real; the property must fail, with the race in its counterexample.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Cache, redisTier, type SharedTier, type TierListener } from '../../../src/cache/index.js';
import { SeededRandom } from '../../../src/core/random.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { commandsFor, hasRacingInvalidation, runModel, type Command } from '../no-stale-set-model.js';
import { notificationBarrier, type MarkerWatch } from './barrier.js';
import { CountingTier, type Mutate } from './counting-tier.js';
import { SHARED_REDIS_URL, connectClient, uniquePrefix } from '@headroom/testkit/redis-servers';
import { CLIENT_LIBRARIES, type ClientLibrary, type TestClient } from './clients.js';

type Client = Awaited<ReturnType<typeof connectClient>>;
type Mode = 'pubsub' | 'tracking';
const prefix = uniquePrefix('nss');
const SEED = 20250101;
/** Runs of the property per invalidation mode, per client library. */
const RUNS: Record<ClientLibrary['name'], number> = { 'node-redis': 150, ioredis: 30 };
let admin: Client;
/** Three connections per library: two instances and the observer. */
const clients = new Map<ClientLibrary['name'], TestClient[]>();
let runs = 0;

before(async () => {
  admin = await connectClient(SHARED_REDIS_URL);
  for (const library of CLIENT_LIBRARIES) {
    const three: TestClient[] = [];
    for (let i = 0; i < 3; i++) three.push(await library.connect(SHARED_REDIS_URL));
    clients.set(library.name, three);
  }
});

after(async () => {
  for await (const keys of admin.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) if (keys.length > 0) await admin.del(keys);
  await Promise.all([...clients.values()].flat().map((c) => c.close()));
  await admin.close();
});

/** A tier on the shared client: calls never time out and leases never lapse on the virtual clock's account. */
function tier(client: TestClient, invalidation: Mode, clock: VirtualClock): SharedTier<string> {
  return redisTier<string>({
    client: client.client,
    prefix,
    invalidation,
    clock,
    timeout: '10m',
    heartbeat: '1h',
    leaseGrace: '1h',
    leaseTtl: '2h',
  });
}

async function run(library: ClientLibrary, commands: readonly Command[], invalidation: Mode, mutate: Mutate | undefined): Promise<void> {
  const namespace = `r${++runs}`;
  const connections = clients.get(library.name)!;
  const clock = new VirtualClock();
  const tiers = [0, 1].map((i) => new CountingTier(tier(connections[i]!, invalidation, clock), mutate));
  const caches = tiers.map(
    (l2, i) =>
      new Cache<string>({
        namespace,
        clock,
        random: new SeededRandom(3 + i),
        ttl: 100,
        staleWhileRevalidate: 100,
        staleIfError: 300,
        l2,
      }),
  );
  // A third instance that only reads Redis, as a process arriving later would.
  const observer = tier(connections[2]!, invalidation, clock);
  const observerMarkers = new Map<string, () => void>();
  const observerWatch: MarkerWatch = (marker) => new Promise<void>((resolve) => observerMarkers.set(marker, resolve));
  const listener: TierListener = {
    keyChanged: (key) => observerMarkers.get(key)?.(),
    tagInvalidated: () => {},
    cleared: () => {},
    connection: () => {},
  };
  await observer.attach(namespace, listener);
  for (const cache of caches) await cache.getOrLoad('warm-up', () => 'w'); // attached, versions known
  const watches: MarkerWatch[] = [...tiers.map((t) => (marker: string) => t.watch(marker)), observerWatch];
  const settle = async (): Promise<void> => {
    for (let round = 0; round < 2; round++) {
      await CountingTier.idle(tiers);
      await notificationBarrier(admin, watches, { prefix, namespace, invalidation });
    }
    await CountingTier.idle(tiers);
  };
  const served = async (key: string): Promise<string | undefined> => (await observer.get(key))?.value;
  try {
    const deliver = async (via: number): Promise<void> => tiers[via]!.deliver();
    const failures = await runModel(commands, { caches, clock, settle, served, deliver });
    assert.deepEqual(failures, []);
  } finally {
    await Promise.all(caches.map((c) => c.close()));
    await observer.close();
  }
}

for (const library of CLIENT_LIBRARIES) {
  for (const invalidation of ['pubsub', 'tracking'] as const) {
    const numRuns = RUNS[library.name];
    test(`${library.name}, ${invalidation}: two instances on one Redis — no stale set anywhere, fresh reads after every kind of invalidation (fast-check, seed ${SEED}, ${numRuns} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(commandsFor(2, 80), (commands) => run(library, commands, invalidation, undefined)),
        { seed: SEED, numRuns },
      );
    });
  }
}

/** Leased stores that ignore their lease: written as direct sets, over whatever voided the lease. */
const ignoreLease: Mutate = (inner) => ({ set: (key, entry) => inner.set(key, entry) });

/** Tag versions read at store time (the lease records none): a tag invalidated during the load is absorbed. */
const versionsAtStore: Mutate = (inner) => ({ lease: (key, force) => inner.lease(key, force) });

for (const [name, mutate, invalidation] of [
  ['stores ignore their lease', ignoreLease, 'pubsub'],
  ['tag versions read at store time', versionsAtStore, 'tracking'],
] as const) {
  test(`the property catches a racing invalidation across instances: the mutant whose ${name} fails, with the race in its counterexample`, async () => {
    const result = await fc.check(
      fc.asyncProperty(commandsFor(2, 80), (commands) => run(CLIENT_LIBRARIES[0]!, commands, invalidation, mutate)),
      { seed: SEED, numRuns: RUNS['node-redis'] },
    );
    assert.equal(result.failed, true, `the mutant (${name}) passed: the property cannot see the race`);
    const [commands] = result.counterexample!;
    assert.ok(hasRacingInvalidation(commands), `the counterexample has no racing invalidation: ${JSON.stringify(commands)}`);
    assert.match(String(result.errorInstance), /(serves|holds|returned) [abc]@\d+/);
  });
}
