/**
 * An HTTP/1.1 target for the load drivers over undici (an optional peer, loaded when a target is
 * created): one keep-alive connection pool to the origin, optionally pipelined, every response
 * body discarded as it arrives so its connection is reused. `send` resolves with the status code;
 * a connection error rejects. Requests go through undici's low-level `dispatch` with one small
 * handler object each, not `request`, which wraps every response body in a Readable stream that
 * `body.dump()` then drains (`npm run bench -- scale/client-cost` measures both; docs/scale.md,
 * "Where a request's CPU goes"). {@link classifyHttp} turns that into the drivers' outcome: 2xx and 3xx are `'ok'`,
 * other statuses `'http_<status>'`, connection errors their code (`'ECONNREFUSED'`, `'UND_ERR_SOCKET'`…).
 */
import type * as Undici from 'undici';
import { parsePositiveDuration, type Duration } from '../../core/duration.js';
import { loadPeer } from '../../core/peer.js';
import { invalidScaleOption } from '../models/errors.js';
import { SUCCESS, type Arrival, type Settled } from '../open-loop.js';

/** Options of {@link HttpTarget}. */
export interface HttpTargetOptions {
  /** HTTP method; default `'GET'`. */
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD' | 'PATCH';
  /** Request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Request body (for POST/PUT/PATCH). */
  readonly body?: string;
  /** Keep-alive connections to the origin; default 1 (give the concurrency for a closed loop). */
  readonly connections?: number;
  /** Requests pipelined per connection (HTTP/1.1 pipelining); default 1 = none. */
  readonly pipelining?: number;
  /** Time a request may take before it fails with `UND_ERR_HEADERS_TIMEOUT`/`UND_ERR_BODY_TIMEOUT`; default `'30s'`. */
  readonly timeout?: Duration;
}

/**
 * Sends requests to one URL over a keep-alive pool.
 * @example
 * ```ts
 * const http = new HttpTarget('http://127.0.0.1:8080/', { connections: 16 });
 * await runClosedLoop(http.send, { concurrency: 16, duration: '10s', classify: classifyHttp });
 * await http.close();
 * ```
 */
export class HttpTarget {
  /** Sends one request; resolves with the status code (bound: pass it as the driver's target). */
  readonly send: (arrival: Arrival) => Promise<number>;
  readonly #pool: Undici.Pool;

  /**
   * @param url - an http(s) URL; its path and query are requested
   * @param options - method, headers, body, connections, pipelining, timeout
   * @throws HR_SCALE_INVALID_OPTION for a URL that is not http(s) or a bad count
   * @throws HR_CORE_PEER_MISSING when undici is not installed
   */
  constructor(url: string, options: HttpTargetOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalidScaleOption('url', url, 'pass an absolute http:// or https:// URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw invalidScaleOption('url', url, 'pass an absolute http:// or https:// URL');
    const connections = options.connections ?? 1;
    const pipelining = options.pipelining ?? 1;
    for (const [name, v] of [
      ['connections', connections],
      ['pipelining', pipelining],
    ] as const) {
      if (!(Number.isInteger(v) && v >= 1)) throw invalidScaleOption(name, v, 'pass a whole number, at least 1');
    }
    const timeoutMs = parsePositiveDuration(options.timeout, 'timeout', 30_000);
    const undici = loadPeer<typeof Undici>('undici', 'HttpTarget');
    this.#pool = new undici.Pool(parsed.origin, { connections, pipelining, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const path = `${parsed.pathname}${parsed.search}`;
    const method = options.method ?? 'GET';
    const request = {
      path,
      method,
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.body === undefined ? {} : { body: options.body }),
    };
    const pool = this.#pool;
    this.send = (): Promise<number> =>
      new Promise<number>((resolve, reject) => {
        pool.dispatch(request, new StatusHandler(resolve, reject));
      });
  }

  /** Closes the connections once the requests in flight have finished. */
  async close(): Promise<void> {
    await this.#pool.close();
  }
}

/**
 * One request's undici handler: keeps the status, discards the body as it arrives, settles the
 * request's promise at the end or on an error. Methods on the prototype, so a request allocates
 * one object, not four closures.
 */
class StatusHandler implements Undici.Dispatcher.DispatchHandler {
  #status = 0;
  readonly #resolve: (status: number) => void;
  readonly #reject: (error: Error) => void;

  constructor(resolve: (status: number) => void, reject: (error: Error) => void) {
    this.#resolve = resolve;
    this.#reject = reject;
  }

  // undici takes a handler without onRequestStart for one of its deprecated form.
  onRequestStart(): void {}

  onResponseStart(_controller: Undici.Dispatcher.DispatchController, statusCode: number): void {
    this.#status = statusCode;
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    this.#resolve(this.#status);
  }

  onResponseError(_controller: Undici.Dispatcher.DispatchController, error: Error): void {
    this.#reject(error);
  }
}

/** The drivers' outcome of an HTTP request: `'ok'` for 2xx/3xx, `'http_<status>'`, or the connection error's code. */
export function classifyHttp(settled: Settled<number>): string {
  if (settled.status === 'fulfilled') return settled.value < 400 ? SUCCESS : `http_${settled.value}`;
  const code = (settled.reason as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}
