/**
 * A real HTTP backend (node:http on 127.0.0.1, port 0) for latency integration tests and the
 * latency benchmarks: `workers` requests execute at once (the rest wait FIFO), execution takes
 * `serviceMs()` of timer time (a downstream call, not CPU), and with probability `stallRate` a
 * request waits `stallMs` before it can start (a GC pause, a compaction, a noisy neighbour: time
 * before execution begins). It speaks the tied-request protocol when `tied` is set, and can sit
 * behind the concurrency limiter, and can be deadline-aware (`deadlineAware`). It counts what it
 * actually executed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep, systemClock } from '../../src/core/clock.js';
import type { Random } from '../../src/core/random.js';
import { limitHttp, readDeadline, TiedHttpServer, type ConcurrencyLimiter, type TieTicket } from '../../src/latency/index.js';

export interface BackendOptions {
  readonly workers: number;
  readonly serviceMs: () => number;
  readonly random?: Random;
  readonly stallRate?: number;
  readonly stallMs?: number;
  /** Speak the tied protocol; peers are set later with `setPeers`. */
  readonly tied?: boolean;
  readonly limiter?: ConcurrencyLimiter;
  /**
   * Stop waiting and working when the client disconnects; default true. False models the common
   * naive server that keeps serving requests whose callers have given up.
   */
  readonly abandonOnDisconnect?: boolean;
  /**
   * Deadline-aware: read the caller's deadline (`headroom-timeout-ms`) and drop work that cannot
   * be done in time — stop waiting for a worker once less than `needMs` of it is left, and never
   * start work then (answer 504 unexecuted). `needMs: 0` drops only work whose deadline passed.
   * Default: not deadline-aware (the common naive server).
   */
  readonly deadlineAware?: { readonly needMs: number };
}

export interface Backend {
  readonly origin: string;
  /** Requests whose execution started (work actually done). */
  readonly executed: () => number;
  /** Requests received (all, including tied copies and cancels). */
  readonly received: () => number;
  /** Requests answered 504 unexecuted because they could not finish in time (`deadlineAware`). */
  readonly dropped: () => number;
  readonly tied: () => TiedHttpServer | undefined;
  setPeers(peers: readonly string[]): void;
  close(): Promise<void>;
}

export async function startBackend(options: BackendOptions): Promise<Backend> {
  let tied: TiedHttpServer | undefined;
  let executed = 0;
  let received = 0;
  let dropped = 0;
  let busy = 0;
  const waiting: Array<() => void> = [];
  const acquire = (signal: AbortSignal): Promise<void> => {
    if (busy < options.workers) {
      busy++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        busy++;
        resolve();
      };
      const onAbort = (): void => {
        const i = waiting.indexOf(grant);
        if (i >= 0) waiting.splice(i, 1);
        reject(signal.reason);
      };
      waiting.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  };
  const releaseWorker = (): void => {
    busy--;
    const next = waiting.shift();
    if (next !== undefined) next();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    received++;
    if (tied?.handleCancel(req, res) === true) return;
    req.resume();
    const ticket: TieTicket | undefined = tied?.arrive(req);
    const gone = new AbortController();
    if (options.abandonOnDisconnect !== false)
      res.once('close', () => {
        if (!res.writableFinished) gone.abort(new Error('client went away'));
      });
    const callerDeadline = options.deadlineAware === undefined ? undefined : readDeadline(req.headers);
    // The time by which work must start to finish in time.
    const deadline = callerDeadline?.child({ reserve: options.deadlineAware!.needMs });
    const signals = [gone.signal, ...(ticket === undefined ? [] : [ticket.signal]), ...(deadline === undefined ? [] : [deadline.signal])];
    const signal = signals.length === 1 ? gone.signal : AbortSignal.any(signals);
    try {
      await acquire(signal);
    } catch {
      if (ticket !== undefined && ticket.state === 'cancelled' && !res.destroyed) tied!.respondCancelled(res, ticket);
      else if (deadline?.expired === true && !res.destroyed) expired(res);
      else res.destroy();
      deadline?.dispose();
      callerDeadline?.dispose();
      return;
    }
    try {
      // The stall happens before execution begins, so a tied twin can still take over.
      if (options.stallRate !== undefined && options.random!.chance(options.stallRate)) await sleep(systemClock, options.stallMs!, signal);
      if (deadline?.expired === true) {
        expired(res);
        return;
      }
      if (ticket !== undefined && !tied!.start(ticket)) {
        tied!.respondCancelled(res, ticket);
        return;
      }
      executed++;
      await sleep(systemClock, options.serviceMs(), gone.signal);
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } catch {
      if (ticket !== undefined && ticket.state === 'cancelled' && !res.destroyed) tied!.respondCancelled(res, ticket);
      else if (deadline?.expired === true && !res.destroyed) expired(res);
      else res.destroy();
    } finally {
      deadline?.dispose();
      callerDeadline?.dispose();
      ticket?.finish();
      releaseWorker();
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
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    executed: () => executed,
    received: () => received,
    dropped: () => dropped,
    tied: () => tied,
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
