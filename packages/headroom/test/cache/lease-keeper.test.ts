/**
 * The lease keeper's renewals on a virtual clock with scripted Redis calls (the real leases,
 * with a frozen redis-server, are tested in redis/late-execution.test.ts and redis-tier.test.ts):
 * a held lease is renewed every third of the grace, never past the longest hold; renewals stop
 * when the lease is dropped or found lost; an in-doubt lease is released at once, and a release
 * whose send failed is retried later.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseKeeper } from '../../src/cache/adapters/redis-leases.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { flushMicrotasks } from './helpers.js';

const SNAPSHOT = { versions: new Map<string, number>(), generation: undefined };

function setup(
  renewResult: () => Promise<boolean> = () => Promise.resolve(true),
  releaseResult: () => Promise<void> = () => Promise.resolve(),
) {
  const clock = new VirtualClock();
  const renewals: { token: string; px: number; at: number }[] = [];
  const releases: string[] = [];
  const keeper = new LeaseKeeper(clock, 900, 2000, {
    renew: (_leaseKey, token, px) => {
      renewals.push({ token, px, at: clock.now() });
      return renewResult();
    },
    releaseInOrder: (_key, _leaseKey, token) => {
      releases.push(token);
      return releaseResult();
    },
  });
  return { clock, keeper, renewals, releases };
}

test('a held lease is renewed every third of the grace, by at most what is left of the longest hold, then left to lapse', async () => {
  const { clock, keeper, renewals } = setup();
  const start = clock.now();
  keeper.hold('lease', 't1', SNAPSHOT);
  assert.equal(keeper.snapshot('t1'), SNAPSHOT);
  await clock.advanceBy(3000);
  assert.deepEqual(
    renewals.map((r) => r.at - start),
    [300, 600, 900, 1200, 1500, 1800],
  );
  assert.deepEqual(
    renewals.map((r) => r.px),
    [900, 900, 900, 800, 500, 200],
  );
  assert.equal(keeper.size, 0, 'past the longest hold the lease is no longer kept');
});

test('renewals stop when the lease is dropped or found lost', async () => {
  let kept = true;
  const { clock, keeper, renewals } = setup(() => Promise.resolve(kept));
  keeper.hold('lease', 'dropped', SNAPSHOT);
  keeper.hold('lease', 'lost', SNAPSHOT);
  await clock.advanceBy(300);
  assert.equal(renewals.length, 2);
  keeper.drop('dropped');
  kept = false;
  await clock.advanceBy(300);
  await flushMicrotasks();
  assert.deepEqual(
    renewals.map((r) => r.token),
    ['dropped', 'lost', 'lost'],
  );
  await clock.advanceBy(1000);
  assert.equal(renewals.length, 3);
  assert.equal(keeper.size, 0);
});

test('an in-doubt lease is released at once; a release whose send failed is retried when asked', async () => {
  let fail = true;
  const { clock, keeper, renewals, releases } = setup(undefined, () =>
    fail ? Promise.reject(new Error('socket closed')) : Promise.resolve(),
  );
  keeper.hold('lease', 't1', SNAPSHOT);
  keeper.inDoubt('k', 'lease', 't1');
  await flushMicrotasks();
  assert.deepEqual(releases, ['t1']);
  await clock.advanceBy(1000);
  assert.equal(renewals.length, 0, 'an in-doubt lease is not renewed');
  fail = false;
  keeper.retryOwed();
  keeper.retryOwed(); // nothing owed any more
  await flushMicrotasks();
  assert.deepEqual(releases, ['t1', 't1']);
});
