/**
 * Tag versions of the Redis tier. Each tag is a counter in Redis (`invalidateTag` increments
 * it); an entry records the versions of its tags and is void once any of them moved on.
 *
 * Which versions an entry records decides whether a tag invalidation racing a load is caught.
 * They are read when the load's lease is granted, *before* its loader reads the source
 * ({@link TagVersions.snapshot}): an invalidation after that point bumps a version past the
 * recorded one, so the late entry is void for every reader; one before it happened before the
 * source was read, so the value is already new. (Read at store time, as before, a racing
 * invalidation was simply absorbed: the stale value was stored under the new version.)
 *
 * Tags computed from the value (`tags: (v) => [...]`) are unknown until the load ends. For
 * them the lease records the namespace's *tag generation*, a counter every `invalidateTag`
 * increments before its tag's: at store time the tags' versions are read, then the generation;
 * if it moved, some tag was invalidated during the load and the store is refused (conservative:
 * any tag invalidation refuses such a store). The order matters — generation first when
 * invalidating, versions first when storing — so a version read as new implies the generation
 * read after it is new too.
 *
 * Versions are cached per process while the invalidation channel is live (notifications keep
 * them current) and read from Redis otherwise. A cached version can only lag the real one,
 * which at worst retires an entry early, never keeps a stale one.
 */
import type { TagSnapshot } from './redis-leases.js';

/** What the versions need from the tier. */
export interface TagReads {
  /** Values of `keys` (null when absent), one bounded call per Cluster slot. */
  mget(keys: readonly string[]): Promise<(Buffer | string | null)[]>;
  /** The Redis key of `tag`'s counter. */
  tagKey(tag: string): string;
  /** The Redis key of the namespace's tag generation. */
  generationKey(): string;
  /** True while notifications can be trusted to keep cached versions current. */
  trusted(): boolean;
}

const NO_VERSIONS: ReadonlyMap<string, number> = new Map();
const EMPTY: TagSnapshot = { versions: NO_VERSIONS, generation: undefined };

/** One tier's view of its tag versions: cached while the channel is live, recorded at each lease. */
export class TagVersions {
  readonly #reads: TagReads;
  readonly #cached = new Map<string, number>();

  constructor(reads: TagReads) {
    this.#reads = reads;
  }

  /** Current versions of `tags`: cached while notifications flow, read from Redis otherwise. */
  async current(tags: readonly string[]): Promise<Map<string, number>> {
    const trusted = this.#reads.trusted();
    const result = new Map<string, number>();
    const missing: string[] = [];
    for (const tag of tags) {
      const v = trusted ? this.#cached.get(tag) : undefined;
      if (v === undefined) missing.push(tag);
      else result.set(tag, v);
    }
    if (missing.length > 0) {
      const raw = await this.#reads.mget(missing.map((t) => this.#reads.tagKey(t)));
      missing.forEach((tag, i) => {
        const v = numberOf(raw[i]);
        result.set(tag, v);
        if (trusted) this.#cached.set(tag, v);
      });
    }
    return result;
  }

  /** What a load records when its lease is granted: its declared tags' versions, or the generation. */
  async snapshot(tags: readonly string[] | 'dynamic' | undefined): Promise<TagSnapshot> {
    if (tags === undefined || tags.length === 0) return EMPTY;
    if (tags === 'dynamic') return { versions: NO_VERSIONS, generation: await this.#generation() };
    return { versions: await this.current(tags), generation: undefined };
  }

  /**
   * The `[tag, version]` pairs to store with an entry loaded under `snapshot`, or undefined when
   * one of its tags may have been invalidated since the snapshot (the store must be refused).
   */
  async stamp(tags: readonly string[] | undefined, snapshot: TagSnapshot | undefined): Promise<[string, number][] | undefined> {
    if (tags === undefined || tags.length === 0) return [];
    const recorded = snapshot?.versions ?? NO_VERSIONS;
    const unknown = tags.filter((t) => !recorded.has(t));
    if (unknown.length === 0) return tags.map((t) => [t, recorded.get(t)!]);
    const now = await this.current(unknown);
    if (snapshot?.generation !== undefined && (await this.#generation()) !== snapshot.generation) return undefined;
    return tags.map((t) => [t, recorded.get(t) ?? now.get(t)!]);
  }

  /** A notification: `tag` moved to `version` (undefined: unknown, read it next time). */
  noted(tag: string, version: number | undefined): void {
    if (version === undefined) this.#cached.delete(tag);
    else if ((this.#cached.get(tag) ?? -1) < version) this.#cached.set(tag, version);
  }

  /** Forgets every cached version (notifications may have been missed). */
  forget(): void {
    this.#cached.clear();
  }

  async #generation(): Promise<number> {
    const [raw] = await this.#reads.mget([this.#reads.generationKey()]);
    return numberOf(raw);
  }
}

function numberOf(raw: Buffer | string | null | undefined): number {
  return raw === null || raw === undefined ? 0 : Number(raw.toString());
}
