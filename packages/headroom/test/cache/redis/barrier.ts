/**
 * A notification barrier for tests with several cache instances on one Redis: once it resolves,
 * every instance has received every invalidation caused by commands that completed before it
 * was called. It writes a marker key (pub/sub: a bus message; tracking: a key under the
 * namespace) and waits until each instance reports the marker's remote invalidation — Redis
 * delivers a connection's notifications in the order it ran the commands behind them.
 */
import { randomUUID } from 'node:crypto';
import type { Cache } from '../../../src/cache/index.js';

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
