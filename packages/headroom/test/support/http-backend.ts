/**
 * A real HTTP backend (node:http on 127.0.0.1, port chosen by the OS) over the test kit's
 * {@link FifoBackend}: `workers` requests are served at once and the rest wait FIFO, service is
 * timer time (a downstream call, not CPU), with optional per-request stalls and process-wide
 * pauses. Shared by this package's balance and latency tests and benchmarks:
 *
 * - every response carries `x-origin` (which backend answered) and the body `ok <method> <url>`;
 * - `?delayMs=N` sets one request's service time; `GET /health` answers at once (200, or 503 when failing);
 * - `mode = 'fail'` answers 503 at once (requests and /health) without queueing;
 * - `tied: true` speaks headroom/latency's tied-request protocol (peers set with `setPeers`);
 * - `limiter` puts headroom/latency's concurrency limiter in front;
 * - by default a request whose client disconnected stops waiting and working; `abandonOnDisconnect:
 *   false` models the common naive server that keeps serving callers who left;
 * - `deadlineAware` reads the caller's deadline (`headroom-timeout-ms`) and answers 504 unexecuted
 *   work that cannot finish in time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FifoBackend } from '@headroom/testkit/fifo-backend';
import { systemClock } from '../../src/core/clock.js';
import type { Random } from '../../src/core/random.js';
import { limitHttp, readDeadline, TiedHttpServer, type ConcurrencyLimiter, type TieTicket } from '../../src/latency/index.js';

/** Options of {@link startHttpBackend}. */
export interface HttpBackendOptions {
  /** Requests served at once (default Infinity: no queue). */
  readonly workers?: number;
  /** Service time of each request, ms: a number or a function drawn per request (default 0). */
  readonly serviceMs?: number | (() => number);
  /** Per-request stall before service: probability `rate`, for `ms`, drawn from `random`. */
  readonly stall?: { readonly rate: number; readonly ms: number; readonly random: Random };
  /** Speak the tied protocol; peers are set later with `setPeers`. */
  readonly tied?: boolean;
  /** Put this limiter in front (`limitHttp`). */
  readonly limiter?: ConcurrencyLimiter;
  /** Stop waiting and working when the client disconnects; default true. */
  readonly abandonOnDisconnect?: boolean;
  /**
   * Deadline-aware: read the caller's deadline (`headroom-timeout-ms`) and drop work that cannot
   * be done in time — stop waiting for a worker once less than `needMs` of it is left, and never
   * start work then (answer 504 unexecuted). `needMs: 0` drops only work whose deadline passed.
   * Default: not deadline-aware (the common naive server).
   */
  readonly deadlineAware?: { readonly needMs: number };
}

/** A running backend. */
export interface HttpBackend {
  readonly origin: string;
  /** The queue and workers behind it (counters, `pause(ms)`). */
  readonly fifo: FifoBackend;
  /** Requests received, /health excluded (failed ones and tie cancels included). */
  readonly hits: number;
  /** Requests answered 504 unexecuted because they could not finish in time (`deadlineAware`). */
  readonly dropped: number;
  /** `'fail'` answers 503 at once, requests and /health. */
  mode: 'ok' | 'fail';
  /** The tied-protocol server once `setPeers` was called on a tied backend. */
  readonly tied: TiedHttpServer | undefined;
  setPeers(peers: readonly string[]): void;
  close(): Promise<void>;
}

/** Starts a backend; see the file comment. */
export async function startHttpBackend(options: HttpBackendOptions = {}): Promise<HttpBackend> {
  const serviceMs = options.serviceMs ?? 0;
  const fifo = new FifoBackend({
    workers: options.workers ?? Infinity,
    serviceMs: typeof serviceMs === 'number' ? () => serviceMs : serviceMs,
    clock: systemClock,
    ...(options.stall === undefined ? {} : { stall: options.stall }),
  });
  let tied: TiedHttpServer | undefined;
  let hits = 0;
  let dropped = 0;
  let mode: 'ok' | 'fail' = 'ok';
  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('x-origin', origin);
    if (req.url === '/health') {
      res.writeHead(mode === 'ok' ? 200 : 503).end();
      return;
    }
    hits++;
    if (mode === 'fail') {
      res.writeHead(503).end('failing');
      return;
    }
    if (tied?.handleCancel(req, res) === true) return;
    req.resume();
    const ticket: TieTicket | undefined = tied?.arrive(req);
    const gone = new AbortController();
    if (options.abandonOnDisconnect !== false) {
      res.once('close', () => {
        if (!res.writableFinished) gone.abort(new Error('client went away'));
      });
    }
    const override = /[?&]delayMs=(\d+)/.exec(req.url ?? '');
    const callerDeadline = options.deadlineAware === undefined ? undefined : readDeadline(req.headers);
    // The time by which work must start to finish in time.
    const deadline = callerDeadline?.child({ reserve: options.deadlineAware!.needMs });
    const signals = [gone.signal, ...(ticket === undefined ? [] : [ticket.signal]), ...(deadline === undefined ? [] : [deadline.signal])];
    try {
      const served = await fifo.serve({
        signal: signals.length === 1 ? gone.signal : AbortSignal.any(signals),
        serviceSignal: gone.signal,
        // The stall happens before service begins, so a tied twin can still take over.
        beforeService: () => deadline?.expired !== true && (ticket === undefined || tied!.start(ticket)),
        ...(override === null ? {} : { serviceMs: Number(override[1]) }),
      });
      if (served) {
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${req.method} ${req.url}`);
      } else if (deadline?.expired === true) expired(res);
      else tied!.respondCancelled(res, ticket!);
    } catch {
      if (ticket !== undefined && ticket.state === 'cancelled' && !res.destroyed) tied!.respondCancelled(res, ticket);
      else if (deadline?.expired === true && !res.destroyed) expired(res);
      else res.destroy();
    } finally {
      deadline?.dispose();
      callerDeadline?.dispose();
      ticket?.finish();
    }
  };
  const expired = (res: ServerResponse): void => {
    dropped++;
    res.writeHead(504, { 'content-type': 'text/plain' }).end('deadline passed');
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(req, res);
  };
  const server: Server = createServer(options.limiter === undefined ? listener : limitHttp(options.limiter, listener));
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    fifo,
    get hits() {
      return hits;
    },
    get dropped() {
      return dropped;
    },
    get mode() {
      return mode;
    },
    set mode(value) {
      mode = value;
    },
    get tied() {
      return tied;
    },
    setPeers(peers) {
      if (options.tied === true) tied = new TiedHttpServer({ peers });
    },
    async close() {
      await tied?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
