/**
 * A node-redis (v5) connection the library opens itself — a `duplicate()` of the user's client, for
 * pub/sub, tracking or blocking reads — connected and closed so that nothing it opens outlives
 * the close.
 *
 * node-redis does not abort a connect attempt in flight when the client is closed: `close()`
 * resolves, the socket still comes up, runs its handshake and holds the process open, and no
 * method of the closed client can close it any more. So the attempts are followed — the first
 * from the `connect()` call, every reconnect from its `reconnecting` event — until they settle
 * (`connect` once the socket is up, `error` when it failed, or the `connect()` call's end), and a
 * close waits for the one in flight: at most node-redis's `connectTimeout`, 5 s by default. Then
 * it destroys the connection rather than close it: `close()` waits for answers to the commands in
 * flight, which a frozen Redis never sends.
 */

/** The node-redis client (or cluster) surface of a dedicated connection. */
export interface NodeRedisConnection {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  connect(): Promise<unknown>;
  close?(): Promise<unknown>;
  destroy?(): void;
  readonly isOpen: boolean;
}

/** Connecting and closing a dedicated node-redis connection. */
export interface DedicatedNodeRedis {
  /** Connects it (its first attempt; node-redis reconnects by itself after a loss). */
  connect(): Promise<void>;
  /** Destroys it once no connect attempt is in flight (then nothing it opened is left; commands in flight reject); never rejects. */
  close(): Promise<void>;
}

/**
 * Wraps a not yet connected node-redis connection: connect through it, and close through it.
 * @example
 * ```ts
 * const reader = dedicatedNodeRedis(client.duplicate());
 * await reader.connect();
 * // … blocking reads on the duplicate …
 * await reader.close();
 * ```
 */
export function dedicatedNodeRedis(conn: NodeRedisConnection): DedicatedNodeRedis {
  let inFlight = false;
  let waiting: (() => void)[] = [];
  const settle = (): void => {
    inFlight = false;
    const done = waiting;
    waiting = [];
    for (const resolve of done) resolve();
  };
  conn.on('reconnecting', () => {
    inFlight = true;
  });
  conn.on('connect', settle);
  conn.on('error', settle);
  return {
    connect: async () => {
      inFlight = true;
      try {
        await conn.connect();
      } finally {
        settle();
      }
    },
    close: async () => {
      // node-redis announces its next attempt (`reconnecting`) after the pause even when the
      // connection was destroyed during it, and then makes none: a closed connection has none in flight
      if (inFlight && conn.isOpen) await new Promise<void>((resolve) => waiting.push(resolve));
      if (!conn.isOpen) return;
      // What is pending on a dedicated connection (a probe, a blocking read, the handshake) has
      // nobody waiting for it any more: destroy it. close() would wait for the answers, for as
      // long as Redis is frozen.
      try {
        if (conn.destroy !== undefined) conn.destroy();
        else await conn.close?.();
      } catch {
        // already closed
      }
    },
  };
}
