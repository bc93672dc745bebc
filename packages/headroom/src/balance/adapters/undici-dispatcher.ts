/**
 * An undici 7 `Dispatcher` that balances every request over a {@link Balancer}'s origins, so
 * `fetch(url, { dispatcher })`, `undici.request(url, { dispatcher })`, `stream` and `pipeline`
 * all go through the picker, the load metric and outlier detection. The request URL's own
 * origin is ignored (use a logical name such as `http://users.internal`); its path, method,
 * headers and body go to the chosen origin through one undici `Pool` per origin.
 *
 * Each request is measured from dispatch to the end of the response body (or the error): 5xx
 * statuses and transport errors are failures, caller aborts are cancellations. Both handler
 * styles are supported: the legacy one (`onConnect`/`onHeaders`/…, used by `fetch` and
 * `request` in undici 7) and the new one (`onRequestStart`/`onResponseStart`/…, used by
 * composed interceptors). Cost per request: one pick, one small handler wrapper.
 *
 * undici is the user's (an optional peer of headroom): the class that extends its `Dispatcher` is
 * defined on the first `new BalancedDispatcher(...)`, so importing headroom/balance loads nothing
 * of undici's.
 */
import type * as Undici from 'undici';
import type { Dispatcher, Pool } from 'undici';
import { loadPeer } from '../../core/peer.js';
import type { Balancer } from '../balancer.js';
import type { Endpoint } from '../endpoint.js';
import { closedError, NoEndpointError } from '../errors.js';
import type { Outcome } from '../../core/outcome.js';

/** Options of {@link BalancedDispatcher}. */
export interface BalancedDispatcherOptions {
  /** Options of the undici `Pool` created per origin (connections, keep-alive, timeouts…). */
  readonly poolOptions?: Pool.Options;
  /** Which response statuses count as endpoint failures; default `status >= 500`. */
  readonly isFailureStatus?: (status: number) => boolean;
  /** The affinity key of a request, for hash affinity (e.g. a header); default none. */
  readonly keyOf?: (options: Dispatcher.DispatchOptions) => string | undefined;
  /**
   * Sees every response's status and headers as they arrive, with the endpoint that answered —
   * e.g. to feed server load reports to C3: `(endpoint, _status, headers) =>
   * feedback.observeHeaders(endpoint.id, headers, clock.now())`. Headers are as undici gives them
   * (a raw `[name, value, …]` array for `fetch`/`request`, a record for composed interceptors).
   */
  readonly onResponseHeaders?: (endpoint: Endpoint<string>, statusCode: number, headers: unknown) => void;
}

type LegacyHandler = {
  onConnect?(abort: (err?: Error) => void, context?: unknown): void;
  onError?(err: Error): void;
  onUpgrade?(statusCode: number, headers: unknown, socket: unknown): void;
  onResponseStarted?(): void;
  onHeaders?(statusCode: number, headers: unknown, resume: () => void, statusText: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: unknown): void;
  onBodySent?(chunkSize: number, totalBytesSent: number): void;
};

const defaultIsFailureStatus = (status: number): boolean => status >= 500;

/** What a request's tap reports to: the dispatcher that picked its endpoint. */
interface TapOwner {
  isFailureStatus(status: number): boolean;
  readonly onResponseHeaders: BalancedDispatcherOptions['onResponseHeaders'];
  release(endpoint: Endpoint<string>, startedAtMs: number, outcome: Outcome): void;
}

/** Shared per-request bookkeeping of both handler styles. */
abstract class Tap {
  status = 0;
  #done = false;

  constructor(
    protected readonly owner: TapOwner,
    protected readonly endpoint: Endpoint<string>,
    protected readonly startedAtMs: number,
  ) {}

  protected finish(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    const outcome: Outcome =
      error === undefined ? (this.owner.isFailureStatus(this.status) ? 'failure' : 'success') : isAbort(error) ? 'ignored' : 'failure';
    this.owner.release(this.endpoint, this.startedAtMs, outcome);
  }
}

class LegacyTap extends Tap {
  constructor(
    owner: TapOwner,
    endpoint: Endpoint<string>,
    startedAtMs: number,
    private readonly inner: LegacyHandler,
  ) {
    super(owner, endpoint, startedAtMs);
  }

  onConnect(abort: (err?: Error) => void, context?: unknown): void {
    this.inner.onConnect?.(abort, context);
  }

  onResponseStarted(): void {
    this.inner.onResponseStarted?.();
  }

  onHeaders(statusCode: number, headers: unknown, resume: () => void, statusText: string): boolean {
    if (statusCode >= 200) this.status = statusCode;
    this.owner.onResponseHeaders?.(this.endpoint, statusCode, headers);
    return this.inner.onHeaders?.(statusCode, headers, resume, statusText) ?? true;
  }

  onData(chunk: Buffer): boolean {
    return this.inner.onData?.(chunk) ?? true;
  }

  onComplete(trailers: unknown): void {
    this.finish(undefined);
    this.inner.onComplete?.(trailers);
  }

  onUpgrade(statusCode: number, headers: unknown, socket: unknown): void {
    this.status = statusCode;
    this.finish(undefined);
    this.inner.onUpgrade?.(statusCode, headers, socket);
  }

  onBodySent(chunkSize: number, totalBytesSent: number): void {
    this.inner.onBodySent?.(chunkSize, totalBytesSent);
  }

  onError(err: Error): void {
    this.finish(err);
    if (this.inner.onError === undefined) throw err;
    this.inner.onError(err);
  }
}

class ModernTap extends Tap {
  constructor(
    owner: TapOwner,
    endpoint: Endpoint<string>,
    startedAtMs: number,
    private readonly inner: Dispatcher.DispatchHandler,
  ) {
    super(owner, endpoint, startedAtMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[2],
    socket: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[3],
  ): void {
    this.status = statusCode;
    this.finish(undefined);
    this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2],
    statusMessage?: string,
  ): void {
    if (statusCode >= 200) this.status = statusCode;
    this.owner.onResponseHeaders?.(this.endpoint, statusCode, headers);
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.inner.onResponseData?.(controller, chunk);
  }

  onResponseEnd(
    controller: Dispatcher.DispatchController,
    trailers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>[1],
  ): void {
    this.finish(undefined);
    this.inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.finish(controller.aborted ? abortMarker : error);
    this.inner.onResponseError?.(controller, error);
  }
}

const abortMarker = Object.freeze({ name: 'AbortError' });

function isAbort(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; code?: unknown };
  return e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED';
}

/**
 * What Node's global `fetch` accepts as `dispatcher`, as the user's own typings declare it: the
 * global `RequestInit['dispatcher']` (from `@types/node`, which types it with its own copy of
 * undici's types, `undici-types`), or `unknown` where the global `RequestInit` has no such field
 * (DOM typings).
 */
export type FetchDispatcher = RequestInit extends { dispatcher?: infer D } ? NonNullable<D> : unknown;

/**
 * The instance type of {@link BalancedDispatcher}: an undici 7 `Dispatcher` that is also a
 * {@link FetchDispatcher}, so both `undici.request(url, { dispatcher })` and the global
 * `fetch(url, { dispatcher })` type-check without a cast.
 */
export type BalancedDispatcher = Dispatcher & FetchDispatcher;

/** The constructor of the implementation, once undici has been loaded. */
type DispatcherClass = new (balancer: Balancer<string>, options: BalancedDispatcherOptions) => Dispatcher;

let implementation: DispatcherClass | undefined;

/**
 * Defines the implementation on `undici`'s `Dispatcher`. undici 7's types differ from the copy
 * that types Node's global `fetch` (`@types/node`'s `undici-types` 6 declares its own `FormData`,
 * `on`/`emit` overloads…), so on its own it is not assignable to `RequestInit['dispatcher']`
 * although Node's fetch only calls `dispatch()` with the handler style handled here (tested with
 * the global fetch over real sockets).
 */
function defineDispatcher(undici: typeof Undici): DispatcherClass {
  return class BalancedUndiciDispatcher extends undici.Dispatcher implements TapOwner {
    readonly #balancer: Balancer<string>;
    readonly #poolOptions: Pool.Options;
    readonly #keyOf: ((options: Dispatcher.DispatchOptions) => string | undefined) | undefined;
    readonly #pools = new Map<Endpoint<string>, Pool>();
    /** Status classifier (public for the per-request taps). */
    readonly isFailureStatus: (status: number) => boolean;
    /** Response-headers observer (public for the per-request taps). */
    readonly onResponseHeaders: BalancedDispatcherOptions['onResponseHeaders'];
    #closed = false;

    /** @param balancer - a balancer whose endpoint targets are origins (`http(s)://host:port`) */
    constructor(balancer: Balancer<string>, options: BalancedDispatcherOptions = {}) {
      super();
      this.#balancer = balancer;
      this.#poolOptions = options.poolOptions ?? {};
      this.#keyOf = options.keyOf;
      this.isFailureStatus = options.isFailureStatus ?? defaultIsFailureStatus;
      this.onResponseHeaders = options.onResponseHeaders;
    }

    /**
     * Picks an origin for one request and hands it to that origin's pool. Dispatch-time errors
     * (`HR_BALANCE_NO_ENDPOINT`, `HR_BALANCE_KEY_REQUIRED`, `HR_BALANCE_CLOSED`) reach the handler.
     * @returns the pool's back-pressure signal (false: wait for 'drain')
     */
    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      let endpoint: Endpoint<string> | undefined;
      try {
        if (this.#closed) throw closedError('dispatch');
        const key = this.#keyOf?.(options);
        endpoint = this.#balancer.pick(key);
        if (endpoint === undefined) {
          throw new NoEndpointError('No endpoint can take the request: every origin is draining, unhealthy or ejected, or none was added.');
        }
      } catch (error) {
        fail(handler, error as Error);
        return true;
      }
      const startedAtMs = this.#balancer.begin(endpoint);
      const tap =
        typeof handler.onRequestStart === 'function'
          ? new ModernTap(this, endpoint, startedAtMs, handler)
          : new LegacyTap(this, endpoint, startedAtMs, handler as LegacyHandler);
      return this.#poolFor(endpoint).dispatch({ ...options, origin: endpoint.target }, tap as Dispatcher.DispatchHandler);
    }

    /** Called by a request's tap when it ends; closes pools of endpoints that have left. */
    release(endpoint: Endpoint<string>, startedAtMs: number, outcome: Outcome): void {
      this.#balancer.end(endpoint, startedAtMs, outcome);
      if (endpoint.status === 'removed' && endpoint.outstanding === 0) this.#retire(endpoint);
    }

    /** Waits for in-flight requests, then closes every origin's pool (the balancer stays open). */
    override close(): Promise<void>;
    override close(callback: () => void): void;
    override close(callback?: () => void): Promise<void> | void {
      this.#closed = true;
      const done = Promise.all([...this.#pools.values()].map((pool) => pool.close())).then(() => undefined);
      this.#pools.clear();
      if (callback === undefined) return done;
      void done.then(callback, callback);
    }

    /** Aborts in-flight requests and destroys every origin's pool. */
    override destroy(): Promise<void>;
    override destroy(err: Error | null): Promise<void>;
    override destroy(callback: () => void): void;
    override destroy(err: Error | null, callback: () => void): void;
    override destroy(errOrCallback?: Error | null | (() => void), maybeCallback?: () => void): Promise<void> | void {
      const err = typeof errOrCallback === 'function' ? null : (errOrCallback ?? null);
      const callback = typeof errOrCallback === 'function' ? errOrCallback : maybeCallback;
      this.#closed = true;
      const done = Promise.all([...this.#pools.values()].map((pool) => pool.destroy(err))).then(() => undefined);
      this.#pools.clear();
      if (callback === undefined) return done;
      void done.then(callback, callback);
    }

    #poolFor(endpoint: Endpoint<string>): Pool {
      let pool = this.#pools.get(endpoint);
      if (pool === undefined) {
        // New origin: also close pools of endpoints removed while idle.
        for (const known of this.#pools.keys()) if (known.status === 'removed' && known.outstanding === 0) this.#retire(known);
        pool = new undici.Pool(endpoint.target, this.#poolOptions);
        // Re-emitted like undici's Agent does, so callers that wait for 'drain' make progress.
        pool.on('drain', (origin: URL) => {
          this.emit('drain', origin);
        });
        pool.on('connect', (origin, targets) => {
          this.emit('connect', origin, [this, ...targets]);
        });
        pool.on('disconnect', (origin, targets, error) => {
          this.emit('disconnect', origin, [this, ...targets], error);
        });
        pool.on('connectionError', (origin, targets, error) => {
          this.emit('connectionError', origin, [this, ...targets], error);
        });
        this.#pools.set(endpoint, pool);
      }
      return pool;
    }

    #retire(endpoint: Endpoint<string>): void {
      const pool = this.#pools.get(endpoint);
      if (pool === undefined) return;
      this.#pools.delete(endpoint);
      void pool.close();
    }
  };
}

// The constructor users call: it loads undici and defines the class on first use, then returns
// an instance of that class (a constructor that returns an object yields that object). The one
// cast types it as also being what the global fetch's typings expect, which it is at runtime.
/**
 * A `Dispatcher` for undici 7 and Node's global `fetch` that spreads requests over a string
 * balancer's origins (endpoint targets such as `'http://10.0.0.7:8080'`). Its type,
 * {@link BalancedDispatcher}, satisfies both undici's `Dispatcher` and the global fetch's.
 *
 * @example
 * ```ts
 * const balancer = new Balancer({ endpoints: ['http://10.0.0.1:8080', 'http://10.0.0.2:8080'] });
 * const dispatcher = new BalancedDispatcher(balancer);
 * const res = await fetch('http://users.internal/users/42', { dispatcher }); // origin is chosen per request
 * await dispatcher.close(); balancer.close();
 * ```
 * @throws HR_CORE_PEER_MISSING when `undici` is not installed
 */
export const BalancedDispatcher = function BalancedDispatcher(
  balancer: Balancer<string>,
  options: BalancedDispatcherOptions = {},
): Dispatcher {
  implementation ??= defineDispatcher(loadPeer<typeof Undici>('undici', 'BalancedDispatcher'));
  return new implementation(balancer, options);
} as unknown as new (balancer: Balancer<string>, options?: BalancedDispatcherOptions) => BalancedDispatcher;

// `dispatcher instanceof BalancedDispatcher` asks the class defined on first use.
Object.defineProperty(BalancedDispatcher, Symbol.hasInstance, {
  value: (value: unknown): boolean => implementation !== undefined && value instanceof implementation,
});

/** Delivers a dispatch-time error through whichever handler style the caller used. */
function fail(handler: Dispatcher.DispatchHandler, error: Error): void {
  const legacy = handler as LegacyHandler;
  if (typeof handler.onResponseError === 'function') {
    handler.onResponseError(
      {
        aborted: true,
        paused: false,
        reason: error,
        abort: () => {},
        pause: () => {},
        resume: () => {},
      },
      error,
    );
  } else if (typeof legacy.onError === 'function') {
    legacy.onError(error);
  } else {
    throw error;
  }
}
