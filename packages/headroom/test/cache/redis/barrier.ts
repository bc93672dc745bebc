/**
 * A notification barrier for tests with several cache instances on one Redis: once it resolves,
 * every instance has received every invalidation caused by commands that completed before it
 * was called. It writes a marker key (pub/sub: a bus message; tracking: a key under the
 * namespace) and waits until each instance reports the marker's remote invalidation — Redis
 * delivers a connection's notifications in the order it ran the commands behind them.
 * `notificationBarrier` writes the marker through a client of the test's own; `writerBarrier`
 * through the writing cache itself, again until it is heard (for instances still subscribing,
 * and for a Cluster's per-master order).
 */
import { randomUUID } from 'node:crypto';
import type { Cache } from '../../../src/cache/index.js';
import { keySlot } from '../../../src/partition/index.js';

/** The part of a node-redis client the barrier uses. */
interface BarrierClient {
  publish(channel: string, message: string): Promise<unknown>;
  set(key: string, value: string, options?: { PX: number }): Promise<unknown>;
}

/** Resolves once a listener has seen the remote invalidation of `marker`. */
export type MarkerWatch = (marker: string) => Promise<void>;

/** Watches a cache's events for the marker. */
export function cacheWatch(cache: Cache<unknown>): MarkerWatch {
  return (marker) =>
    new Promise<void>((resolve) => {
      const sub = cache.on((e) => {
        if (e.type === 'invalidated' && e.scope === 'key' && e.target === marker && e.origin === 'remote') {
          sub.dispose();
          resolve();
        }
      });
    });
}

/**
 * Resolves when every watcher has seen the marker; rejects after `ms` (a test failure, not a
 * timing assertion: notifications normally arrive within milliseconds).
 */
export async function notificationBarrier(
  client: BarrierClient,
  watched: readonly (Cache<unknown> | MarkerWatch)[],
  where: {
    prefix: string;
    namespace: string;
    invalidation: 'pubsub' | 'tracking';
  },
  ms = 10_000,
): Promise<void> {
  const marker = `barrier-${randomUUID()}`;
  const seen = Promise.all(watched.map((w) => (typeof w === 'function' ? w : cacheWatch(w))(marker)));
  const base = `${where.prefix}:${where.namespace}`;
  if (where.invalidation === 'pubsub') await client.publish(`${base}:bus`, JSON.stringify(['k', 'barrier', marker]));
  else await client.set(`${base}:0:{${marker}}`, '', { PX: 60_000 });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the notification barrier was not received within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([seen, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The barrier through one instance's own writes, for instances that may still be subscribing (a
 * cache attaches to its channel in the background after construction) and for a Cluster (there a
 * connection's notifications are ordered per master only). `write` stores a marker key through
 * the writing instance — on a Cluster pass `sameSlotAs`, and the marker is a key of that key's
 * slot, so its notifications follow every earlier change of that key on that master — again every
 * `resendMs` until each watched instance reports the marker's remote invalidation. Once it
 * resolves, each instance is listening and has received every notification of the writer's
 * earlier commands that it was subscribed for (one it was not subscribed for never comes, so it
 * cannot arrive late either). A write may notify more than once (a direct set: its claim, then
 * its store), so the marker's own later notifications can still follow: after the barrier, wait
 * for a named key's notification, not for any. Rejects after `ms` (a test failure, not a timing
 * assertion).
 */
export async function writerBarrier(
  write: (marker: string) => Promise<unknown>,
  watched: readonly Cache<unknown>[],
  { sameSlotAs, ms = 30_000, resendMs = 100 }: { sameSlotAs?: string; ms?: number; resendMs?: number } = {},
): Promise<void> {
  const label = `barrier-${randomUUID()}`;
  const marker = sameSlotAs === undefined ? label : keyInSlotOf(sameSlotAs, label);
  let seen = false;
  const heard = Promise.all(watched.map((w) => cacheWatch(w)(marker))).then(() => {
    seen = true;
  });
  const deadline = performance.now() + ms;
  while (!seen) {
    if (performance.now() > deadline) throw new Error(`the barrier marker ${marker} was not heard within ${ms} ms`);
    await write(marker);
    await Promise.race([heard, new Promise((resolve) => setTimeout(resolve, resendMs))]);
  }
}

/** A key `label-N` whose Cluster slot is that of `key` (both as a cache key's hash tag). */
function keyInSlotOf(key: string, label: string): string {
  const slot = keySlot(`{${key}}`);
  for (let i = 0; ; i++) if (keySlot(`{${label}-${i}}`) === slot) return `${label}-${i}`;
}
