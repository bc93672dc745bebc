/**
 * How a Redis tier learns what other processes changed:
 *
 * - `PubSubNotifier`: every write announces itself on a channel of the namespace (the scripts
 *   PUBLISH atomically with the write); each process subscribes on a dedicated connection and
 *   skips its own messages. Works on every Redis and on Cluster (PUBLISH reaches all nodes).
 * - `TrackingNotifier`: server-assisted client-side caching (RESP3 `CLIENT TRACKING ON BCAST
 *   PREFIX <namespace>`): Redis itself reports every modified key under the prefix, whoever
 *   wrote it — one tracking connection per master on Cluster. Needs no publishing, but cannot
 *   tell this process's writes from others', so a process also drops its own fresh writes from
 *   L1 (the next read fetches them back from Redis).
 *
 * Both report connection loss, so the cache can stop trusting L1 until notifications resume,
 * and both can prove the channel still delivers (`probe`, driven by channel-watch.ts): an open
 * socket to a stalled server delivers nothing.
 */
import type { SubscriberConnection, TrackingConnection } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

/** What a notifier reports. */
export interface NotifyHandler {
  key(name: string): void;
  /** A lease of `name` was given back (tracking: changed in any way): waiters may try now. */
  released(name: string): void;
  tag(name: string, version: number | undefined): void;
  version(version: number | undefined): void;
  connection(up: boolean): void;
}

/** A notifier. */
export interface Notifier {
  readonly up: boolean;
  start(): Promise<void>;
  /** Resolves once a message sent through the channel came back (rejects if it could not be sent). */
  probe(): Promise<void>;
  close(): Promise<void>;
}

/** Probes of a silent channel kept waiting for their echo at most. */
const MAX_WAITING_PROBES = 16;

/** Pub/sub messages are JSON arrays: [kind, origin, name, version?]; kinds: k(ey), r(eleased lease), t(ag), c(lear). */
export function busMessage(kind: 'k' | 'r' | 't' | 'c', origin: string, name: string): string {
  return JSON.stringify([kind, origin, name]);
}

/** The prefix of a version-bump message; the script appends `<version>]`. */
export function bumpMessagePrefix(kind: 't' | 'c', origin: string, name: string): string {
  return `${JSON.stringify([kind, origin, name]).slice(0, -1)},`;
}

export class PubSubNotifier implements Notifier {
  readonly #subscriber: SubscriberConnection;
  readonly #channel: string;
  readonly #echoChannel: string;
  readonly #origin: string;
  readonly #handler: NotifyHandler;
  readonly #publish: (channel: string, message: string) => Promise<unknown>;
  /** Probes waiting for their message to come back. */
  #echoes: { resolve(): void; reject(error: Error): void }[] = [];
  #seq = 0;
  #up = false;
  #closed = false;

  /**
   * @param subscriber - a dedicated, not yet connected pub/sub connection
   * @param publish - publishes on the tier's command connection (probes go out that way and come back here)
   */
  constructor(
    subscriber: SubscriberConnection,
    channel: string,
    origin: string,
    handler: NotifyHandler,
    publish: (channel: string, message: string) => Promise<unknown>,
  ) {
    this.#subscriber = subscriber;
    this.#channel = channel;
    // Probes use a channel of their own: the others do not receive (and parse) them.
    this.#echoChannel = `${channel}:probe:${origin}`;
    this.#origin = origin;
    this.#handler = handler;
    this.#publish = publish;
  }

  get up(): boolean {
    return this.#up;
  }

  async start(): Promise<void> {
    this.#subscriber.onState((up) => this.#set(up));
    await this.#subscriber.start(
      new Map([
        [this.#channel, this.#onMessage],
        [this.#echoChannel, this.#onEcho],
      ]),
    );
    this.#set(true);
  }

  probe(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // While nothing comes back, probes pile up one per heartbeat: keep the newest few.
      if (this.#echoes.length >= MAX_WAITING_PROBES) this.#echoes.shift()!.reject(new Error('superseded by a newer probe'));
      this.#echoes.push({ resolve, reject });
      this.#publish(this.#echoChannel, String(++this.#seq)).catch(reject);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#up = false;
    for (const probe of this.#echoes.splice(0)) probe.reject(new Error('the notifier closed'));
    await this.#subscriber.close();
  }

  /** Any probe's message proves the channel delivers: every waiting probe is answered. */
  readonly #onEcho = (): void => {
    const waiting = this.#echoes;
    this.#echoes = [];
    for (const probe of waiting) probe.resolve();
  };

  readonly #onMessage = (message: string): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (!Array.isArray(parsed) || parsed[1] === this.#origin || typeof parsed[2] !== 'string') return;
    const [kind, , name, version] = parsed as [unknown, unknown, string, unknown];
    const v = typeof version === 'number' ? version : undefined;
    if (kind === 'k') this.#handler.key(name);
    else if (kind === 'r') this.#handler.released(name);
    else if (kind === 't') this.#handler.tag(name, v);
    else if (kind === 'c') this.#handler.version(v);
  };

  #set(up: boolean): void {
    if (this.#closed || up === this.#up) return;
    this.#up = up;
    this.#handler.connection(up);
  }
}

export class TrackingNotifier implements Notifier {
  readonly #connections: TrackingConnection[];
  readonly #keys: RedisKeys;
  readonly #handler: NotifyHandler;
  readonly #ready: boolean[];
  #up = false;
  #closed = false;

  /** @param connections - dedicated tracking connections, one per master, not yet connected */
  constructor(connections: readonly TrackingConnection[], keys: RedisKeys, handler: NotifyHandler) {
    this.#connections = [...connections];
    this.#keys = keys;
    this.#handler = handler;
    this.#ready = connections.map(() => false);
  }

  get up(): boolean {
    return this.#up;
  }

  async start(): Promise<void> {
    await Promise.all(
      this.#connections.map((conn, i) => {
        conn.onState((up) => this.#mark(i, up));
        return conn.start(this.#keys.trackingPrefix, (key) => this.#onInvalidate(key));
      }),
    );
  }

  /** A PING on every tracking connection: its answer follows every invalidation queued before it. */
  async probe(): Promise<void> {
    await Promise.all(this.#connections.map((conn) => conn.ping()));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#up = false;
    await Promise.all(this.#connections.map((c) => c.close()));
  }

  #onInvalidate(redisKey: string | null): void {
    if (redisKey === null) {
      // The server flushed, or dropped its tracking state: everything may have changed.
      this.#handler.version(undefined);
      return;
    }
    const what = this.#keys.classify(redisKey);
    if (what === undefined) return;
    if (what.kind === 'key') this.#handler.key(what.name);
    // A lease changed (taken, renewed, given back): processes waiting for it look again.
    else if (what.kind === 'lease') this.#handler.released(what.name);
    else if (what.kind === 'tag') this.#handler.tag(what.name, undefined);
    else this.#handler.version(undefined);
  }

  #mark(index: number, up: boolean): void {
    if (this.#closed) return;
    this.#ready[index] = up;
    const all = this.#ready.every(Boolean);
    if (all === this.#up) return;
    this.#up = all;
    this.#handler.connection(all);
  }
}
