/**
 * A string-keyed table over a prototype-free object used as a dictionary: the key → slot index
 * of the in-process tier, and the table of running loads.
 *
 * Why not a `Map`: on V8 a lookup in a dictionary-mode object is faster than `Map#get` for the
 * same 100k string keys, whether the key string was seen before (its internalized copy is found
 * by pointer) or is built fresh per request (one string-table probe finds the internalized copy).
 * The price is paid on writes — inserting and deleting keys cost more than `Map`'s, most for keys
 * never seen before — once per load or eviction, against a hit on every read; and memory, as the
 * dictionary grows with more slack than a `Map`. Figures: `npm run bench -- "cache: key index"`
 * and `npm run bench -- "cache: memory"`, quoted in docs/cache.md.
 *
 * Why not a `Map` for the running loads either, whose entries live only as long as a load:
 * under that churn V8 rebuilds a `Map`'s table again and again, and each retired table keeps
 * its entries and a link to its successor. Once one retired table has been promoted to the old
 * generation, every later table and the loads it held survive each young-generation collection
 * until the next full one. On the Redis-tier benchmark (100 L2 reads in flight) far more of the
 * young generation survived each scavenge with a `Map` than with this table (see
 * `--trace-gc-nvp`, docs/cache.md).
 *
 * Safety: the object has no prototype, so `__proto__`, `constructor` or `toString` are plain
 * keys; nothing here ever evaluates a key.
 *
 * Complexity: O(1) expected per operation; `size` is tracked, iteration is O(entries).
 */
export class KeyIndex<T = number> {
  #slots: Record<string, T> = Object.create(null) as Record<string, T>;
  #size = 0;

  /** Number of keys. */
  get size(): number {
    return this.#size;
  }

  /** The value of `key`, or undefined. */
  get(key: string): T | undefined {
    return this.#slots[key];
  }

  /** Whether `key` is indexed. */
  has(key: string): boolean {
    return this.#slots[key] !== undefined;
  }

  /** Indexes `key` with `value`, never undefined (a new key: the caller checked it is absent). */
  add(key: string, value: T): void {
    this.#slots[key] = value;
    this.#size++;
  }

  /** Removes `key`; the caller checked it is present. */
  delete(key: string): void {
    delete this.#slots[key];
    this.#size--;
  }

  /** Removes every key. */
  clear(): void {
    this.#slots = Object.create(null) as Record<string, T>;
    this.#size = 0;
  }

  /** Every indexed key with its value (insertion order, integer-like keys first). */
  *entries(): IterableIterator<[string, T]> {
    const slots = this.#slots;
    for (const key in slots) yield [key, slots[key]!];
  }
}
