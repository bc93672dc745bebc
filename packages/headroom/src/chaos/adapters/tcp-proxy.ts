/**
 * One TCP chaos proxy (node:net): listens, dials the upstream for every client, and runs each
 * direction through a {@link ToxicLink}. Toxiproxy's proxy.go on Node: a proxy has a name, a
 * listen address, an upstream and an enabled flag; disabling it closes the listener and every
 * connection. Unlike Toxiproxy, a client's half-close (FIN) is passed on as a half-close, so
 * request/response protocols that shut down writing first still get their answer.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Clock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import type { HttpToxicShared } from '../proxy/http-toxics.js';
import { ToxicLink, type LinkSink } from '../proxy/link.js';
import type { ToxicSpec, ToxicStream } from '../proxy/toxics.js';

/** A proxy as the API shows it (Toxiproxy's JSON). */
export interface ProxyState {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

/** Byte and connection counters of one proxy. */
export interface ProxyCounters {
  /** Bytes read from clients (upstream direction) and from the upstream (downstream direction). */
  receivedBytes: { upstream: number; downstream: number };
  /** Bytes written to the upstream and to clients. */
  sentBytes: { upstream: number; downstream: number };
  /** Connections accepted since the proxy was created. */
  connections: number;
}

interface Connection {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly links: Record<ToxicStream, ToxicLink>;
}

/** Splits `host:port` (`[v6]:port`, `:port` = all interfaces). */
export function splitHostPort(address: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address.trim());
  if (m === null) return undefined;
  const port = Number(m[3]);
  return port > 65535 ? undefined : { host: m[1] ?? m[2] ?? '', port };
}

/** One proxy: a listener and its connections. */
export class TcpChaosProxy {
  readonly name: string;
  #listen: string;
  #upstream: string;
  #server: Server | undefined;
  readonly #connections = new Set<Connection>();
  readonly #toxics: ToxicSpec[] = [];
  readonly #shared = new Map<string, HttpToxicShared>();
  readonly #clock: Clock;
  readonly #random: Random;
  /** Counters for /metrics. */
  readonly counters: ProxyCounters = {
    receivedBytes: { upstream: 0, downstream: 0 },
    sentBytes: { upstream: 0, downstream: 0 },
    connections: 0,
  };

  constructor(name: string, listen: string, upstream: string, clock: Clock, random: Random) {
    this.name = name;
    this.#listen = listen;
    this.#upstream = upstream;
    this.#clock = clock;
    this.#random = random.fork(`proxy:${name}`);
  }

  /** The proxy as Toxiproxy shows it. */
  state(): ProxyState {
    return { name: this.name, listen: this.#listen, upstream: this.#upstream, enabled: this.#server !== undefined };
  }

  /** The toxics, upstream chain first (Toxiproxy's order). */
  toxics(): ToxicSpec[] {
    return [...this.#toxics.filter((t) => t.stream === 'upstream'), ...this.#toxics.filter((t) => t.stream === 'downstream')];
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Starts listening; `listen` then holds the bound address (port 0 becomes the real port). */
  async start(): Promise<void> {
    if (this.#server !== undefined) return;
    const at = splitHostPort(this.#listen);
    if (at === undefined) throw new Error(`listen tcp ${this.#listen}: address must be host:port`);
    const server = createServer({ pauseOnConnect: true, noDelay: true }, (client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at.port, at.host === '' ? undefined : at.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address();
    if (bound !== null && typeof bound === 'object') {
      this.#listen = bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
    }
    this.#server = server;
  }

  /** Stops listening and closes every connection. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const c of this.#connections) {
      c.client.destroy();
      c.upstream.destroy();
    }
    this.#connections.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Changes the addresses (restarting when they differ) and the enabled flag, like Toxiproxy's Update. */
  async update(input: { listen: string; upstream: string; enabled: boolean }): Promise<void> {
    if (input.listen !== this.#listen || input.upstream !== this.#upstream) {
      const was = this.#server !== undefined;
      await this.stop();
      this.#listen = input.listen;
      this.#upstream = input.upstream;
      if (was && input.enabled) await this.start();
    }
    if (input.enabled && this.#server === undefined) await this.start();
    if (!input.enabled && this.#server !== undefined) await this.stop();
  }

  /** Adds a toxic to every open connection and to new ones. */
  addToxic(spec: ToxicSpec): void {
    this.#toxics.push(spec);
    for (const c of this.#connections) c.links[spec.stream].add(spec);
  }

  /** Replaces a toxic (same name and stream). */
  updateToxic(spec: ToxicSpec): void {
    const i = this.#toxics.findIndex((t) => t.name === spec.name);
    if (i === -1) return;
    this.#toxics[i] = spec;
    for (const c of this.#connections) c.links[spec.stream].update(spec);
  }

  /** Removes a toxic from every connection. */
  removeToxic(name: string): void {
    const i = this.#toxics.findIndex((t) => t.name === name);
    if (i === -1) return;
    const [spec] = this.#toxics.splice(i, 1);
    this.#shared.delete(name);
    for (const c of [...this.#connections]) c.links[spec!.stream].remove(name);
  }

  /** Removes every toxic. */
  resetToxics(): void {
    for (const t of [...this.#toxics]) this.removeToxic(t.name);
  }

  #accept(client: Socket): void {
    const to = splitHostPort(this.#upstream);
    if (to === undefined) {
      client.destroy();
      return;
    }
    this.counters.connections++;
    const upstream = connect({ host: to.host === '' ? '127.0.0.1' : to.host, port: to.port, noDelay: true });
    const dialFailed = (): void => {
      client.destroy();
    };
    upstream.once('error', dialFailed);
    upstream.once('connect', () => {
      upstream.off('error', dialFailed);
      if (client.destroyed || this.#server === undefined) {
        upstream.destroy();
        client.destroy();
        return;
      }
      this.#pipe(client, upstream);
    });
  }

  #pipe(client: Socket, upstream: Socket): void {
    const ctx = {
      clock: this.#clock,
      random: this.#random,
      shared: (name: string) => {
        let s = this.#shared.get(name);
        if (s === undefined) this.#shared.set(name, (s = { failed: 0 }));
        return s;
      },
    };
    const toxics = this.toxics();
    const conn: Connection = {
      client,
      upstream,
      links: {
        upstream: new ToxicLink(
          toxics.filter((t) => t.stream === 'upstream'),
          this.#sink(client, upstream, client, 'upstream'),
          ctx,
        ),
        downstream: new ToxicLink(
          toxics.filter((t) => t.stream === 'downstream'),
          this.#sink(upstream, client, client, 'downstream'),
          ctx,
        ),
      },
    };
    this.#connections.add(conn);
    const counters = this.counters;
    client.on('data', (d: Buffer) => {
      counters.receivedBytes.upstream += d.length;
      conn.links.upstream.write(d, this.#clock.now());
    });
    upstream.on('data', (d: Buffer) => {
      counters.receivedBytes.downstream += d.length;
      conn.links.downstream.write(d, this.#clock.now());
    });
    client.on('end', () => conn.links.upstream.end());
    upstream.on('end', () => conn.links.downstream.end());
    // A clean close of one side leaves the other to its link (which may still hold data, e.g.
    // behind a latency or slow_close toxic); an error on either side destroys both.
    let open = 2;
    const done =
      (other: Socket) =>
      (hadError: boolean): void => {
        if (hadError) other.destroy();
        if (--open === 0) this.#connections.delete(conn);
      };
    client.on('close', done(upstream));
    upstream.on('close', done(client));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.resume();
  }

  /** The sink of one direction: writes to `dest` with backpressure on `source`. */
  #sink(source: Socket, dest: Socket, client: Socket, direction: ToxicStream): LinkSink {
    const counters = this.counters;
    const closeBoth = (): void => {
      source.destroy();
      dest.destroy();
    };
    return {
      data: (c) => {
        if (dest.destroyed || dest.writableEnded) return;
        counters.sentBytes[direction] += c.data.length;
        if (!dest.write(c.data) && !source.isPaused()) {
          source.pause();
          dest.once('drain', () => source.resume());
        }
      },
      end: () => {
        if (!dest.destroyed && !dest.writableEnded) dest.end();
      },
      close: () => {
        if (dest.destroyed || dest.writableEnded) closeBoth();
        else dest.end(closeBoth);
      },
      reset: () => {
        if (!source.destroyed) source.resetAndDestroy();
        if (!dest.destroyed) dest.resetAndDestroy();
      },
      reply: (data) => {
        if (!client.destroyed && !client.writableEnded) client.write(data);
      },
    };
  }
}
