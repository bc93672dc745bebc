/**
 * The seam between the Redis tier and a Redis client library: the few commands and dedicated
 * connections the tier uses, implemented once per library — node-redis (client-node-redis.ts)
 * and ioredis (client-ioredis.ts). Neither file imports its library: each drives the client
 * object the user passed, so importing headroom/cache loads no Redis client.
 *
 * Everything above this seam (leases, tag versions, reads, notifiers, the call guard that maps
 * timeouts to HR_CACHE_TIER_TIMEOUT and failures to HR_CACHE_TIER_FAILED) is shared, so both
 * clients behave the same. Below it, an adapter only translates: command shapes, binary
 * replies, Cluster routing (a script's keys share a hash tag, so each call has one slot), and
 * its library's connection events into up/down.
 */

/** The commands of the tier, on the user's client (a single server or a Cluster). */
export interface RedisConnection {
  /** The client library, for messages. */
  readonly library: 'node-redis' | 'ioredis';
  /** True for a Cluster client: multi-key reads are grouped by slot. */
  readonly cluster: boolean;
  /** GET with the value as bytes. */
  getBuffer(key: string): Promise<Buffer | null>;
  /** MGET with values as bytes; the keys share one slot on a Cluster. */
  mgetBuffer(keys: string[]): Promise<(Buffer | null)[]>;
  /** GET with the value as a string (counters). */
  getString(key: string): Promise<string | null>;
  /** MGET with values as strings (counters); the keys share one slot on a Cluster. */
  mgetString(keys: string[]): Promise<(string | null)[]>;
  /** EVALSHA; bulk strings in the reply come back as Buffers. Rejects with the server's `NOSCRIPT …` error when the script is not loaded. */
  evalSha(sha: string, keys: string[], args: (string | Buffer)[]): Promise<unknown>;
  /** EVAL; bulk strings in the reply come back as Buffers. */
  eval(source: string, keys: string[], args: (string | Buffer)[]): Promise<unknown>;
  /** PUBLISH on the command connection. */
  publish(channel: string, message: string): Promise<unknown>;
  /** A dedicated pub/sub connection (a duplicate: same server, AUTH and TLS), not yet connected. */
  subscriber(): SubscriberConnection;
  /** Dedicated connections for client tracking, one per master (one on a single server), not yet connected. */
  tracking(): Promise<TrackingConnection[]>;
}

/** A connection the tier opened itself, reporting whether it is usable. */
export interface DedicatedConnection {
  /** `listener(false)` whenever the connection is lost, `listener(true)` once it is usable again (set before `start`). */
  onState(listener: (up: boolean) => void): void;
  /** Closes it (never rejects); a connect attempt in flight is let settle first, so that nothing it opens outlives the close. */
  close(): Promise<void>;
}

/** A pub/sub connection. */
export interface SubscriberConnection extends DedicatedConnection {
  /**
   * Connects and subscribes to every channel of `channels`, whose function then receives each
   * message. After a reconnect it subscribes again, and reports up once it has.
   */
  start(channels: ReadonlyMap<string, (message: string) => void>): Promise<void>;
}

/** A connection Redis reports key changes to (`CLIENT TRACKING … BCAST PREFIX`). */
export interface TrackingConnection extends DedicatedConnection {
  /**
   * Connects and turns on broadcast tracking of every key under `prefix` — again at every
   * reconnect, reporting up once it has. `onInvalidate` receives each changed key, or null when
   * the server dropped its tracking state (flush). Resolves after the first setup; rejects if
   * the first connect or setup fails.
   */
  start(prefix: string, onInvalidate: (key: string | null) => void): Promise<void>;
  /** A round trip on this connection: its answer follows every invalidation queued before it. */
  ping(): Promise<unknown>;
}

/**
 * Runs `attempt` once for the first 'ready' after `start` and settles with its outcome; later
 * readies run it too (reconnects), reporting the result to `state` only.
 */
export function onEveryReady(
  attempt: () => Promise<void>,
  state: (up: boolean) => void,
): { ready: () => void; failed: (error: unknown) => void; first: Promise<void> } {
  let settle: ((error?: unknown) => void) | undefined;
  const first = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  const done = (error?: unknown): void => {
    const s = settle;
    settle = undefined;
    s?.(error);
  };
  return {
    ready: () =>
      void attempt().then(
        () => {
          state(true);
          done();
        },
        (error: unknown) => {
          state(false);
          done(error);
        },
      ),
    failed: done,
    first,
  };
}
