/**
 * The Redis tier's reads: single-key reads coalesced per tick, batches grouped by Cluster slot,
 * and every entry read checked — decoded, not expired, written under its tags' current versions.
 *
 * Single-key reads issued in the same tick are sent together when the tick's work is done (one
 * GET, or one MGET per Cluster slot), DataLoader-style: at 100 reads in flight Redis and the
 * client then handle one command where they handled 100. Each read reports to a small reader
 * object, not a promise of its own. This is the hot path of an L2 hit.
 */
import type { Clock } from '../../core/clock.js';
import { keySlot } from '../../partition/index.js';
import type { CallGuard } from '../call-guard.js';
import { CodecError } from '../errors.js';
import type { TierEntry, TierReader } from '../tier.js';
import type { Codec } from './codec.js';
import { decodeEntry, type StoredEntry } from './entry-format.js';
import type { TagVersions } from './redis-tag-versions.js';
import type { RedisConnection } from './redis-connection.js';

/** What the reads need from the tier. */
export interface RedisReadsOptions<V> {
  /** The client, behind the tier's seam. */
  readonly connection: RedisConnection;
  readonly guard: CallGuard;
  readonly codec: Codec<V>;
  readonly clock: Clock;
  readonly tags: () => TagVersions;
  /** A stored value could not be decoded (it reads as a miss). */
  readonly codecError: (error: CodecError) => void;
}

/** Single-key reads gathered during one tick, aligned by index. */
interface ReadBatch<V> {
  readonly keys: string[];
  readonly redisKeys: string[];
  readonly readers: TierReader<V>[];
}

/** Reads entries from Redis for one tier: coalesced per tick, grouped by slot, checked before use. */
export class RedisReads<V> {
  readonly #o: RedisReadsOptions<V>;
  #batch: ReadBatch<V> = newReadBatch();

  constructor(options: RedisReadsOptions<V>) {
    this.#o = options;
  }

  /** Reads `key` (stored at `redisKey`) with the other reads of this tick; the outcome goes to `reader`. */
  read(key: string, redisKey: string, reader: TierReader<V>): void {
    const batch = this.#batch;
    if (batch.keys.length === 0) process.nextTick(this.#flush);
    batch.keys.push(key);
    batch.redisKeys.push(redisKey);
    batch.readers.push(reader);
  }

  /** The checked entries of `keys` (stored at `redisKeys`), one bounded call per Cluster slot. */
  many(keys: readonly string[], redisKeys: readonly string[]): Promise<(TierEntry<V> | undefined)[]> {
    return this.mget(redisKeys).then((raw) =>
      this.validate(raw.map((bytes, i) => (bytes === null ? undefined : this.decode(keys[i]!, bytes as Buffer)))),
    );
  }

  /** The entry in `bytes`, or undefined (reported) when it cannot be decoded. */
  decode(key: string, bytes: Buffer): StoredEntry<V> | undefined {
    try {
      return decodeEntry(this.#o.codec, bytes);
    } catch (error) {
      this.#o.codecError(new CodecError(key, error));
      return undefined;
    }
  }

  /** Drops expired entries and entries written under an older tag version. */
  validate(stored: readonly (StoredEntry<V> | undefined)[]): (TierEntry<V> | undefined)[] | Promise<(TierEntry<V> | undefined)[]> {
    let tags: Set<string> | undefined;
    for (const e of stored)
      if (e !== undefined && e.tagVersions.length > 0) for (const [tag] of e.tagVersions) (tags ??= new Set()).add(tag);
    if (tags === undefined) return this.#check(stored, undefined);
    return this.#o
      .tags()
      .current([...tags])
      .then((current) => this.#check(stored, current));
  }

  /** MGET (GET for one key), one bounded call per Cluster slot; results aligned with `keys`. */
  async mget(keys: readonly string[], binary = true): Promise<(Buffer | string | null)[]> {
    const { guard, connection: c } = this.#o;
    const get = (key: string): Promise<Buffer | string | null> => (binary ? c.getBuffer(key) : c.getString(key));
    const mget = (some: string[]): Promise<(Buffer | string | null)[]> => (binary ? c.mgetBuffer(some) : c.mgetString(some));
    if (keys.length === 1) return [await guard.run('get', () => get(keys[0]!))];
    if (!c.cluster) return guard.run('mget', () => mget([...keys]));
    const out = new Array<Buffer | string | null>(keys.length).fill(null);
    await Promise.all(
      [...bySlot(keys).values()].map(async (indices) => {
        const values = await guard.run('mget', () => mget(indices.map((i) => keys[i]!)));
        indices.forEach((index, j) => {
          out[index] = values[j] ?? null;
        });
      }),
    );
    return out;
  }

  /** Sends the tick's single-key reads: one bounded call per Cluster slot (one in all on a single server). */
  readonly #flush = (): void => {
    const batch = this.#batch;
    this.#batch = newReadBatch();
    const { redisKeys } = batch;
    if (redisKeys.length === 1 || !this.#o.connection.cluster) {
      this.#readGroup(
        batch,
        redisKeys.map((_, i) => i),
        redisKeys,
      );
      return;
    }
    for (const indices of bySlot(redisKeys).values())
      this.#readGroup(
        batch,
        indices,
        indices.map((i) => redisKeys[i]!),
      );
  };

  /** Reads `redisKeys` (all in one slot) in one bounded call and settles the batch's readers at `indices`. */
  #readGroup(batch: ReadBatch<V>, indices: readonly number[], redisKeys: string[]): void {
    const { connection: c, guard } = this.#o;
    const call =
      redisKeys.length === 1
        ? guard.run('get', () => c.getBuffer(redisKeys[0]!)).then((raw) => [raw])
        : guard.run('mget', () => c.mgetBuffer(redisKeys));
    call
      .then((raw) => {
        const stored = raw.map((bytes, j) => (bytes === null ? undefined : this.decode(batch.keys[indices[j]!]!, bytes)));
        return this.validate(stored);
      })
      .then(
        (entries) => {
          for (let j = 0; j < indices.length; j++) batch.readers[indices[j]!]!.entry(entries[j]);
        },
        (error: unknown) => {
          for (const i of indices) batch.readers[i]!.error(error);
        },
      );
  }

  #check(stored: readonly (StoredEntry<V> | undefined)[], current: Map<string, number> | undefined): (TierEntry<V> | undefined)[] {
    const now = this.#o.clock.wallNow();
    return stored.map((e) => {
      if (e === undefined || e.hardExpiresAt <= now) return undefined;
      if (current !== undefined && e.tagVersions.some(([tag, v]) => current.get(tag) !== v)) return undefined;
      return e;
    });
  }
}

function newReadBatch<V>(): ReadBatch<V> {
  return { keys: [], redisKeys: [], readers: [] };
}

/** Indices of `keys` grouped by Cluster slot. */
function bySlot(keys: readonly string[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const slot = keySlot(key);
    const group = groups.get(slot);
    if (group === undefined) groups.set(slot, [i]);
    else group.push(i);
  });
  return groups;
}
