/**
 * The tied-request protocol over HTTP/1.1 (see docs/latency.md, "Tied requests"):
 *
 * Request (client → each of two servers), the same request with:
 *   `headroom-tie-id: <16 hex digits>`         shared by both copies
 *   `headroom-tie-peer: <origin of the twin>`  e.g. `http://10.0.0.7:8080`
 * When a server is about to *start* executing its copy it sends its twin
 *   `POST <peer>/.well-known/headroom/tie-cancel` with header `headroom-tie-id: <id>`
 * and the twin answers `200 {"result":"cancelled"|"started"|"unknown"}`:
 *   cancelled — its copy was still waiting and is dropped;
 *   started   — both started (the copies crossed): both run, the client keeps the first answer;
 *   unknown   — the copy has not arrived yet: the id is remembered and the copy is dropped on arrival.
 * A dropped copy is answered `409` with `headroom-tie: cancelled`, which the client ignores while
 * its twin is running. A server only contacts peers in its `peers` allow-list (the header must not
 * let a caller aim the server at an arbitrary URL); a copy naming another peer runs untied.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as Undici from 'undici';
import { systemClock, type Clock } from '../../core/clock.js';
import { loadPeer } from '../../core/peer.js';
import type { Duration } from '../../core/duration.js';
import { atLeastOneMs, invalidOption } from '../options.js';
import { TiedRegistry, type TieCancelResult, type TieTicket } from '../tied.js';

/** Header with the id both copies share. */
export const TIE_ID_HEADER = 'headroom-tie-id';
/** Header with the twin's origin. */
export const TIE_PEER_HEADER = 'headroom-tie-peer';
/** Response header marking a copy dropped because its twin started. */
export const TIE_OUTCOME_HEADER = 'headroom-tie';
/** Path of the cancel endpoint. */
export const TIE_CANCEL_PATH = '/.well-known/headroom/tie-cancel';

const ID_PATTERN = /^[0-9a-f]{1,32}$/;

/**
 * The headers of one tied copy.
 * @param tieId - from `TiedContext.tieId`
 * @param peerOrigin - the twin server's origin, e.g. `http://127.0.0.1:8002`
 */
export function tieHeaders(tieId: string, peerOrigin: string, into: Record<string, string> = {}): Record<string, string> {
  into[TIE_ID_HEADER] = tieId;
  into[TIE_PEER_HEADER] = peerOrigin;
  return into;
}

/** True when a response says the server dropped this copy because its twin started. */
export function isTieCancelled(
  statusCode: number,
  headers: Readonly<Record<string, string | string[] | undefined>> | { get(name: string): string | null },
): boolean {
  if (statusCode !== 409) return false;
  const value =
    typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as { get(name: string): string | null }).get(TIE_OUTCOME_HEADER)
      : (headers as Readonly<Record<string, string | string[] | undefined>>)[TIE_OUTCOME_HEADER];
  return value === 'cancelled';
}

/** Options of {@link TiedHttpServer}. */
export interface TiedHttpServerOptions {
  /** Origins this server may send cancels to (its possible twins), e.g. `['http://10.0.0.7:8080']`. */
  readonly peers: readonly string[];
  /** Clock for tombstones; default `systemClock`. */
  readonly clock?: Clock;
  /** The registry; default a new one on `clock`. */
  readonly registry?: TiedRegistry;
  /** Give up on a cancel call after this long, ms or '1s' (at least 1 ms); default 1,000. */
  readonly cancelTimeout?: Duration;
}

/** Counters of a {@link TiedHttpServer}. */
export interface TiedHttpServerStats {
  /** Cancels sent to twins, and what they found. */
  readonly sent: Readonly<Record<TieCancelResult | 'failed', number>>;
  /** Cancels received from twins, and what they found here. */
  readonly received: Readonly<Record<TieCancelResult, number>>;
  /** Tied copies whose peer was not in the allow-list (run untied). */
  readonly peerRejected: number;
}

/**
 * Server side of the tied-request protocol for `node:http`.
 * @throws HR_LATENCY_INVALID_OPTION when a peer is not an http(s) origin; HR_CORE_PEER_MISSING when
 * `undici` is not installed
 * @example
 * ```ts
 * const tied = new TiedHttpServer({ peers: [twinOrigin] });
 * http.createServer(async (req, res) => {
 *   if (tied.handleCancel(req, res)) return;
 *   const ticket = tied.arrive(req);
 *   await queue.wait(ticket?.signal);              // your own queue / worker pool
 *   if (ticket !== undefined && !tied.start(ticket)) return tied.respondCancelled(res, ticket);
 *   try { res.end(await work()); } finally { ticket?.finish(); }
 * });
 * ```
 */
export class TiedHttpServer {
  readonly registry: TiedRegistry;
  readonly #peers: ReadonlySet<string>;
  readonly #timeoutMs: number;
  readonly #request: typeof Undici.request;
  readonly #agent: Undici.Agent;
  readonly #sent = { cancelled: 0, started: 0, unknown: 0, failed: 0 };
  readonly #received = { cancelled: 0, started: 0, unknown: 0 };
  #peerRejected = 0;

  constructor(options: TiedHttpServerOptions) {
    this.registry = options.registry ?? new TiedRegistry({ clock: options.clock ?? systemClock });
    this.#peers = new Set(options.peers.map((p) => originOf(p)));
    this.#timeoutMs = atLeastOneMs('cancelTimeout', options.cancelTimeout, 1000);
    // undici is the user's (an optional peer): loaded here, not when headroom/latency is imported.
    const undici = loadPeer<typeof Undici>('undici', 'TiedHttpServer');
    this.#request = undici.request;
    this.#agent = new undici.Agent({ keepAliveTimeout: 10_000 });
  }

  /** Counters since construction. */
  stats(): TiedHttpServerStats {
    return { sent: { ...this.#sent }, received: { ...this.#received }, peerRejected: this.#peerRejected };
  }

  /** Answers the cancel endpoint; returns false (doing nothing) for any other request. */
  handleCancel(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST' || req.url !== TIE_CANCEL_PATH) return false;
    req.resume();
    const id = header(req, TIE_ID_HEADER);
    if (id === undefined || !ID_PATTERN.test(id)) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `missing or malformed ${TIE_ID_HEADER}` }));
      return true;
    }
    const result = this.registry.cancel(id);
    this.#received[result]++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result }));
    return true;
  }

  /** Registers an arriving tied copy; undefined for an untied request (or a peer not allowed). */
  arrive(req: IncomingMessage): TieTicket | undefined {
    const id = header(req, TIE_ID_HEADER);
    const peer = header(req, TIE_PEER_HEADER);
    if (id === undefined || peer === undefined || !ID_PATTERN.test(id)) return undefined;
    const origin = URL.canParse(peer) ? new URL(peer).origin : undefined;
    if (origin === undefined || !this.#peers.has(origin)) {
      this.#peerRejected++;
      return undefined;
    }
    return this.registry.arrive(id, origin);
  }

  /**
   * Call just before doing the work: false when the twin already started (answer with
   * `respondCancelled`); true otherwise, after sending the twin its cancel (not awaited).
   */
  start(ticket: TieTicket): boolean {
    if (!ticket.start()) return false;
    void this.#sendCancel(ticket);
    return true;
  }

  /** Answers a dropped copy: `409` with `headroom-tie: cancelled`. */
  respondCancelled(res: ServerResponse, ticket: TieTicket): void {
    ticket.finish();
    res.writeHead(409, { [TIE_OUTCOME_HEADER]: 'cancelled', 'content-type': 'text/plain' }).end('tied copy dropped: twin started');
  }

  /** Closes the connections used for cancels. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #sendCancel(ticket: TieTicket): Promise<void> {
    try {
      const res = await this.#request(ticket.peer + TIE_CANCEL_PATH, {
        method: 'POST',
        headers: { [TIE_ID_HEADER]: ticket.id },
        dispatcher: this.#agent,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      const body = (await res.body.json()) as { result?: unknown };
      const result = body.result;
      if (res.statusCode === 200 && (result === 'cancelled' || result === 'started' || result === 'unknown')) this.#sent[result]++;
      else this.#sent.failed++;
    } catch {
      // A lost cancel only costs duplicate work; the client still takes the first answer.
      this.#sent.failed++;
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : v?.[0];
}

function originOf(peer: string): string {
  let url: URL;
  try {
    url = new URL(peer);
  } catch {
    throw invalidPeer(peer);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidPeer(peer);
  return url.origin;
}

function invalidPeer(peer: string): Error {
  return invalidOption('peers', peer, "list the twins' origins, e.g. 'http://10.0.0.7:8080'");
}
