import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { Cache, type CacheOptions } from '../../src/cache/index.js';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A cache on a virtual clock with a fixed seed. */
export function testCache<V>(options: CacheOptions<V> = {}, seed = 1): { cache: Cache<V>; clock: VirtualClock } {
  const clock = new VirtualClock();
  const cache = new Cache<V>({ clock, random: new SeededRandom(seed), ...options });
  return { cache, clock };
}

/** Lets pending promise callbacks run. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
