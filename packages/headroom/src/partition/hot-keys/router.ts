/**
 * Spreading hot keys. One key's load cannot be split by moving partitions — it must be split
 * across nodes. Two standard moves, after Facebook's memcache (Nishtala et al., NSDI 2013: hot
 * keys replicated to several servers) and the salted-key pattern used for write-hot counters
 * (e.g. DynamoDB write sharding):
 * - read-hot values: write to the key's `locateN` replicas, read from one at random, so r nodes
 *   share the reads (replicas are cache replicas: a miss falls back to the source of truth);
 * - write-hot aggregates (counters, append logs): write each update to one of f salted sub-keys
 *   `key#0..key#f−1` chosen at random, and read by gathering all f and combining.
 *
 * {@link HotKeyPolicy} is the pure decision (given "is this key spread?"); {@link HotKeyRouter}
 * applies it: it records every access in a {@link HotKeyDetector}, keeps a key spread for
 * `cooldownMs` after it was last hot (so readers keep gathering sub-keys writers used), and caches
 * each spread key's targets. Limits: salted sub-keys of a key with a Redis `{hash tag}` share the
 * tag's slot — give `subKey` a format that changes the tag; spread state is per process.
 */
import { parseOptionalDuration, type Duration } from '../../core/duration.js';
import { defaultRandom, type Random } from '../../core/random.js';
import { invalidOptionError } from '../errors.js';
import type { Partitioner } from '../partitioner.js';
import type { HotKeyDetector } from './detector.js';

/** A (sub-)key and its owner. */
export interface RouteTarget {
  /** The key to use (the original or a salted sub-key). */
  readonly key: string;
  /** Owner node id. */
  readonly node: string;
}

/** Options of {@link HotKeyPolicy}. */
export interface HotKeyPolicyOptions {
  /** Salted sub-keys per write-hot key; integer ≥ 2, default 8. */
  readonly writeFanout?: number;
  /** Replicas per read-hot key (clamped to the node count); integer ≥ 2, default 3. */
  readonly readReplicas?: number;
  /** Sub-key format; default `${key}#${salt}`. */
  readonly subKey?: (key: string, salt: number) => string;
}

/** Per-key targets of a spread key, computed once. */
interface SpreadTargets {
  readonly salted: readonly RouteTarget[];
  readonly replicas: readonly string[];
}

/**
 * Where reads and writes of a key go, depending on whether the key is spread.
 * @throws HR_PARTITION_INVALID_OPTION for a fan-out or replica count below 2
 * @example
 * ```ts
 * const policy = new HotKeyPolicy(ring, { writeFanout: 8, readReplicas: 3 });
 * policy.saltedTargets('likes:42'); // 8 sub-keys and their owners
 * ```
 */
export class HotKeyPolicy {
  /** The partitioner targets are computed on. */
  readonly partitioner: Partitioner;
  /** Salted sub-keys per key. */
  readonly writeFanout: number;
  /** Replicas per key (≤ node count). */
  readonly readReplicas: number;
  /** The count asked for, kept so a later, larger partitioner gets it back. */
  readonly #requestedReplicas: number;
  readonly #subKey: (key: string, salt: number) => string;

  constructor(partitioner: Partitioner, options: HotKeyPolicyOptions = {}) {
    const fanout = options.writeFanout ?? 8;
    const replicas = options.readReplicas ?? 3;
    if (!(Number.isInteger(fanout) && fanout >= 2 && fanout <= 1024))
      throw invalidOptionError('writeFanout', fanout, 'use an integer in 2..1024');
    if (!(Number.isInteger(replicas) && replicas >= 2)) throw invalidOptionError('readReplicas', replicas, 'use an integer ≥ 2');
    this.partitioner = partitioner;
    this.writeFanout = fanout;
    this.#requestedReplicas = replicas;
    this.readReplicas = Math.min(replicas, partitioner.nodes.length);
    this.#subKey = options.subKey ?? ((key, salt) => `${key}#${salt}`);
  }

  /** All salted sub-keys of `key` with their owners (what a gathering read must fetch). */
  saltedTargets(key: string): RouteTarget[] {
    return Array.from({ length: this.writeFanout }, (_, salt) => {
      const sub = this.#subKey(key, salt);
      return { key: sub, node: this.partitioner.locate(sub) };
    });
  }

  /** The replica nodes of `key`, primary first. */
  replicas(key: string): string[] {
    return this.partitioner.locateN(key, this.readReplicas);
  }

  /** A policy with the same options over another partitioner (after a membership change). */
  withPartitioner(partitioner: Partitioner): HotKeyPolicy {
    return new HotKeyPolicy(partitioner, { writeFanout: this.writeFanout, readReplicas: this.#requestedReplicas, subKey: this.#subKey });
  }
}

/** Options of {@link HotKeyRouter}. */
export interface HotKeyRouterOptions extends HotKeyPolicyOptions {
  /** Keeps a key spread this long after it was last seen hot, ms or '1m'; default 60 s. */
  readonly cooldown?: Duration;
  /** Draws which replica serves a spread read; default `defaultRandom()`. */
  readonly random?: Random;
}

/**
 * Routes reads and writes, spreading the keys its detector finds hot.
 * @throws HR_CORE_INVALID_DURATION for a cooldown that is not a duration; HR_PARTITION_INVALID_OPTION as {@link HotKeyPolicy}
 * @example
 * ```ts
 * const router = new HotKeyRouter(ring, new HotKeyDetector({ clock }), { random: new SeededRandom(1) });
 * const node = router.read('product:7');          // a replica when product:7 is hot
 * const nodes = router.write('product:7');        // all replicas when hot, else [owner]
 * const t = router.writeSalted('likes:7');        // { key: 'likes:7#3', node } when hot
 * const parts = router.readSalted('likes:7');     // every sub-key to sum, when spread
 * ```
 */
export class HotKeyRouter {
  readonly #detector: HotKeyDetector;
  readonly #random: Random;
  readonly #cooldownMs: number;
  #policy: HotKeyPolicy;
  /** Spread keys → expiry (clock ms) and their cached targets. */
  readonly #spread = new Map<string, { until: number; targets: SpreadTargets | undefined }>();

  constructor(partitioner: Partitioner, detector: HotKeyDetector, options: HotKeyRouterOptions = {}) {
    const cooldownMs = parseOptionalDuration(options.cooldown, 'cooldown', 60_000);
    this.#policy = new HotKeyPolicy(partitioner, options);
    this.#detector = detector;
    this.#random = options.random ?? defaultRandom();
    this.#cooldownMs = cooldownMs;
  }

  /** The policy in force. */
  get policy(): HotKeyPolicy {
    return this.#policy;
  }

  /** Swaps in a new partitioner (membership change); spread keys keep spreading, targets are recomputed. */
  usePartitioner(partitioner: Partitioner): void {
    this.#policy = this.#policy.withPartitioner(partitioner);
    for (const entry of this.#spread.values()) entry.targets = undefined;
  }

  /** Records an access to `key`; returns its spread targets when spread, else undefined. */
  #access(key: string): SpreadTargets | undefined {
    const hot = this.#detector.record(key);
    const now = this.#detector.clock.now();
    let entry = this.#spread.get(key);
    if (hot) {
      if (entry === undefined) {
        entry = { until: 0, targets: undefined };
        this.#spread.set(key, entry);
        if (this.#spread.size % 1024 === 0) this.#sweep(now);
      }
      entry.until = now + this.#cooldownMs;
    } else if (entry !== undefined && entry.until <= now) {
      this.#spread.delete(key);
      return undefined;
    }
    if (entry === undefined) return undefined;
    entry.targets ??= { salted: this.#policy.saltedTargets(key), replicas: this.#policy.replicas(key) };
    return entry.targets;
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#spread) if (entry.until <= now) this.#spread.delete(key);
  }

  /** Whether `key` is currently spread (hot, or within its cooldown). Does not record an access. */
  isSpread(key: string): boolean {
    const entry = this.#spread.get(key);
    return entry !== undefined && entry.until > this.#detector.clock.now();
  }

  /** Node to read `key` from: a random replica when spread, else the owner. */
  read(key: string): string {
    const spread = this.#access(key);
    if (spread === undefined) return this.#policy.partitioner.locate(key);
    return spread.replicas[this.#random.int(spread.replicas.length)]!;
  }

  /** Nodes to write `key` to: every replica when spread, else the owner alone. */
  write(key: string): readonly string[] {
    const spread = this.#access(key);
    return spread === undefined ? [this.#policy.partitioner.locate(key)] : spread.replicas;
  }

  /** Where to apply one update of a write-hot aggregate: a random salted sub-key when spread. */
  writeSalted(key: string): RouteTarget {
    const spread = this.#access(key);
    if (spread === undefined) return { key, node: this.#policy.partitioner.locate(key) };
    return spread.salted[this.#random.int(spread.salted.length)]!;
  }

  /** What a read of an aggregate must gather: all salted sub-keys (and the key itself) when spread. */
  readSalted(key: string): readonly RouteTarget[] {
    const spread = this.#access(key);
    const plain: RouteTarget = { key, node: this.#policy.partitioner.locate(key) };
    // The unsalted key still holds updates made before the key became hot.
    return spread === undefined ? [plain] : [plain, ...spread.salted];
  }
}
