/**
 * Faults in undici: an interceptor for `Dispatcher.compose`, so `fetch(url, { dispatcher })`,
 * `undici.request`, `stream`, `pipeline` and every undici client built on a composed dispatcher
 * get the same faults as the other adapters. The key of a request is `host + path` (no query)
 * unless you give `key`.
 *
 * When a fault fires, the request's handler is started at once with a controller of ours, so the
 * caller can abort during an injected delay or hang; a request that then goes through is
 * dispatched with that controller forwarding to the real one. Failures reach the handler as
 * `onResponseError` with the {@link InjectedFaultError} (fetch turns it into
 * `TypeError('fetch failed')` with that cause, `request` rejects with it); `status` faults answer
 * with a synthetic response. No undici code is loaded here: composed interceptors receive
 * handlers of undici's newer style (`onRequestStart`, `onResponseStart`, …) — undici wraps
 * older ones first.
 */
import type { Dispatcher } from 'undici';
import { InjectedFaultError } from '../errors.js';
import type { FaultDecision, FaultInjector } from '../injector.js';
import { CHAOS_RULE_HEADER, injectedStatus } from './http-handler.js';

/** Options of {@link faultInterceptor}. */
export interface FaultInterceptorOptions {
  /** The key of a request. Default: `host + path` without the query, e.g. `api.internal:8080/orders`. */
  readonly key?: (options: Dispatcher.DispatchOptions) => string | undefined;
}

/**
 * An undici interceptor that injects the injector's faults.
 * @example
 * ```ts
 * const dispatcher = new Agent().compose(faultInterceptor(chaos));
 * await fetch('http://api.internal/orders', { dispatcher });
 * ```
 */
export function faultInterceptor(injector: FaultInjector, options: FaultInterceptorOptions = {}): Dispatcher.DispatcherComposeInterceptor {
  const keyOf = options.key ?? defaultKey;
  return (dispatch) => (opts, handler) => {
    const decision = injector.decide(keyOf(opts));
    if (decision === undefined) return dispatch(opts, handler);
    const controller = new DeferredController();
    handler.onRequestStart?.(controller, {});
    injector.apply(decision, controller.signal).then(
      () => {
        if (controller.aborted) handler.onResponseError?.(controller, controller.reason as Error);
        else dispatch(opts, forwarding(handler, controller));
      },
      (error: unknown) => fail(handler, controller, decision, error),
    );
    return true;
  };
}

function defaultKey(opts: Dispatcher.DispatchOptions): string {
  const origin = String(opts.origin ?? '');
  const host = origin.slice(origin.indexOf('//') + 2).replace(/\/$/, '');
  const q = opts.path.indexOf('?');
  return host + (q === -1 ? opts.path : opts.path.slice(0, q));
}

/** Delivers an injected failure: a synthetic response for `status`, the error otherwise. */
function fail(handler: Dispatcher.DispatchHandler, controller: DeferredController, decision: FaultDecision, error: unknown): void {
  if (error instanceof InjectedFaultError && error.kind === 'status') {
    const status = injectedStatus(error);
    handler.onResponseStart?.(controller, status, { 'content-type': 'text/plain; charset=utf-8', [CHAOS_RULE_HEADER]: decision.rule }, '');
    handler.onResponseData?.(controller, Buffer.from(`${error.message}\n`));
    handler.onResponseEnd?.(controller, {});
    return;
  }
  handler.onResponseError?.(controller, error instanceof Error ? error : new Error(String(error)));
}

/** The real dispatch's events, passed on with our controller (which forwards to the real one). */
function forwarding(handler: Dispatcher.DispatchHandler, controller: DeferredController): Dispatcher.DispatchHandler {
  return {
    onRequestStart: (real) => controller.attach(real),
    onRequestUpgrade: (_real, status, headers, socket) => handler.onRequestUpgrade?.(controller, status, headers, socket),
    onResponseStart: (_real, status, headers, message) => handler.onResponseStart?.(controller, status, headers, message),
    onResponseData: (_real, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: (_real, trailers) => handler.onResponseEnd?.(controller, trailers),
    onResponseError: (_real, error) => handler.onResponseError?.(controller, error),
  };
}

/**
 * The controller the caller holds from the start of a faulted request: an abort before the real
 * dispatch ends the injected wait (through `signal`); afterwards it forwards to the real controller.
 */
class DeferredController implements Dispatcher.DispatchController {
  readonly #gone = new AbortController();
  #real: Dispatcher.DispatchController | undefined;
  #paused = false;

  /** Aborts when the caller aborts before the real dispatch. */
  get signal(): AbortSignal {
    return this.#gone.signal;
  }

  get aborted(): boolean {
    return this.#real?.aborted ?? this.#gone.signal.aborted;
  }

  get paused(): boolean {
    return this.#real?.paused ?? this.#paused;
  }

  get reason(): Error | null {
    if (this.#real !== undefined) return this.#real.reason;
    return this.#gone.signal.aborted ? (this.#gone.signal.reason as Error) : null;
  }

  abort(reason: Error): void {
    if (this.#real !== undefined) this.#real.abort(reason);
    else this.#gone.abort(reason);
  }

  pause(): void {
    if (this.#real !== undefined) this.#real.pause();
    else this.#paused = true;
  }

  resume(): void {
    if (this.#real !== undefined) this.#real.resume();
    else this.#paused = false;
  }

  /** The real dispatch started: from now on everything goes to its controller. */
  attach(real: Dispatcher.DispatchController): void {
    this.#real = real;
    if (this.#gone.signal.aborted) real.abort(this.#gone.signal.reason as Error);
    else if (this.#paused) real.pause();
  }
}
