/**
 * Write-through: every write goes to the source first and reaches the cache only once the
 * source has accepted it, so the cache is never ahead of the source. Writes to one key are
 * applied in call order (a per-key chain), so a slow earlier write cannot land in the cache
 * after a later one. A failed source write removes the key from the cache: the source's state
 * is then unknown, and the next read reloads it.
 *
 * Loads racing a write cannot store the old value: `cache.set` voids any load still running.
 */
import type { Cache } from '../cache.js';
import type { CachedSource, Source } from './source.js';

/** A per-key FIFO of async operations. */
export class KeyedChain {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `op` after every earlier op queued for `key`; resolves or rejects with `op`'s outcome. */
  run<T>(key: string, op: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    const next = previous === undefined ? op() : previous.then(op, op);
    const tail = next.catch(noop);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}

/**
 * Puts `cache` in front of `source` with write-through writes.
 * @example
 * ```ts
 * const users = writeThrough(new Cache<User>({ ttl: '1m' }), { get: db.get, set: db.put, delete: db.del });
 * await users.set('u1', alice); // the database first, then the cache
 * ```
 */
export function writeThrough<V>(cache: Cache<V, string>, source: Source<V>): CachedSource<V> {
  const chain = new KeyedChain();
  const load = ({ key, signal }: { key: string; signal: AbortSignal }): Promise<V | undefined> => source.get(key, { signal });
  return {
    get: (key, options) => cache.getOrLoad(key, load, options),
    set: (key, value) =>
      chain.run(key, async () => {
        try {
          await source.set(key, value, {});
        } catch (error) {
          await cache.delete(key);
          throw error;
        }
        await cache.set(key, value);
      }),
    delete: (key) =>
      chain.run(key, async () => {
        try {
          await source.delete(key, {});
        } finally {
          await cache.delete(key);
        }
      }),
  };
}

function noop(): void {}
