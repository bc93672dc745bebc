/**
 * Key layout of the Redis tier for one namespace (`p` = prefix, `ns` = namespace):
 *
 *   p:ns:ver                    namespace version (INCR retires every entry at once)
 *   p:ns:<v>:{key}              value of `key` under namespace version v
 *   p:ns:<v>:{key}:lease        loading lease of `key` (hash: t = token, w = waiters)
 *   p:ns:tag:{tag}              version of `tag`
 *   p:ns:taggen                 tag generation (incremented by every tag invalidation)
 *   p:ns:bus                    pub/sub channel of invalidations
 *   {p:ns:wb}:stream, …:latest  durable write-behind queue
 *
 * The braces are Redis Cluster hash tags: a value and its lease share a slot (so one script
 * can touch both), while different keys spread over the cluster. The lease key is the value
 * key plus a suffix, so whatever braces `key` contains, both hash the same way. Keys and tags
 * travel as KEYS/ARGV, never inside Lua source.
 */

/** Valid prefix and namespace characters (no braces, so the hash tag is always ours). */
export const NAME_PATTERN = /^[\w.:-]{1,64}$/;

export class RedisKeys {
  readonly prefix: string;
  readonly namespace: string;
  readonly #base: string;
  #version = 0;
  #valueBase: string;

  constructor(prefix: string, namespace: string) {
    this.prefix = prefix;
    this.namespace = namespace;
    this.#base = `${prefix}:${namespace}`;
    this.#valueBase = `${this.#base}:0:{`;
  }

  /** Current namespace version. */
  get version(): number {
    return this.#version;
  }

  /** Switches to namespace version `version` (after a clear, here or elsewhere). */
  setVersion(version: number): void {
    this.#version = version;
    this.#valueBase = `${this.#base}:${version}:{`;
  }

  /** The namespace version key. */
  get versionKey(): string {
    return `${this.#base}:ver`;
  }

  /** The pub/sub channel. */
  get channel(): string {
    return `${this.#base}:bus`;
  }

  /** Prefix of every key of this namespace (for BCAST tracking). */
  get trackingPrefix(): string {
    return `${this.#base}:`;
  }

  value(key: string): string {
    return `${this.#valueBase}${key}}`;
  }

  lease(key: string): string {
    return `${this.#valueBase}${key}}:lease`;
  }

  tag(tag: string): string {
    return `${this.#base}:tag:{${tag}}`;
  }

  /** The namespace's tag generation (see redis-tag-versions.ts). */
  get tagGeneration(): string {
    return `${this.#base}:taggen`;
  }

  /**
   * What a changed Redis key means for this namespace: a cache key (any version), a tag, the
   * namespace version, a key's lease, or nothing (other namespaces, the write-behind queue).
   */
  classify(redisKey: string): { kind: 'key' | 'lease' | 'tag' | 'version'; name: string } | undefined {
    const base = this.#base;
    if (!redisKey.startsWith(base) || redisKey.charCodeAt(base.length) !== 58 /* : */) return undefined;
    const rest = redisKey.slice(base.length + 1);
    if (rest === 'ver') return { kind: 'version', name: '' };
    if (rest.startsWith('tag:{') && rest.endsWith('}')) return { kind: 'tag', name: rest.slice(5, -1) };
    const open = rest.indexOf(':{');
    if (open <= 0 || !/^\d+$/.test(rest.slice(0, open))) return undefined;
    if (rest.endsWith('}')) return { kind: 'key', name: rest.slice(open + 2, -1) };
    if (rest.endsWith('}:lease')) return { kind: 'lease', name: rest.slice(open + 2, -7) };
    return undefined;
  }

  /** The durable write-behind stream (hash tag keeps stream and bookkeeping in one slot). */
  get stream(): string {
    return `{${this.#base}:wb}:stream`;
  }

  /** Hash of the newest queued stream id per key. */
  get latest(): string {
    return `{${this.#base}:wb}:latest`;
  }

  /** The drainer lock of the durable write-behind queue. */
  get drainLock(): string {
    return `{${this.#base}:wb}:lock`;
  }
}
