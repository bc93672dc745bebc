/**
 * Faults in `fetch` (the global one, undici's, or any WHATWG-compatible function). The key is
 * `host + path` of the request unless you give `key`. Failures reject the way fetch reports a
 * network failure — a `TypeError('fetch failed')` whose `cause` is the {@link InjectedFaultError} —
 * so the caller's real error handling runs; `status` faults resolve to a synthetic response.
 */
import { InjectedFaultError } from '../errors.js';
import type { FaultInjector } from '../injector.js';
import { CHAOS_RULE_HEADER } from './http-handler.js';

/** A fetch-compatible function. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link faultyFetch}. */
export interface FaultyFetchOptions {
  /** The key of a request. Default: `host + pathname`, e.g. `api.internal:8080/orders`. */
  readonly key?: (url: URL, init: RequestInit | undefined) => string | undefined;
}

/**
 * Returns `fetchFn` with faults injected.
 * @example const fetch2 = faultyFetch(fetch, chaos, { key: (url) => url.pathname });
 */
export function faultyFetch(fetchFn: FetchLike, injector: FaultInjector, options: FaultyFetchOptions = {}): FetchLike {
  const keyOf = options.key ?? ((url: URL) => url.host + url.pathname);
  return (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const decision = injector.decide(keyOf(url, init));
    if (decision === undefined) return fetchFn(input, init);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    return injector.apply(decision, signal).then(
      () => fetchFn(input, init),
      (error: unknown) => {
        if (error instanceof InjectedFaultError && error.kind === 'status') {
          return new Response(`${error.message}\n`, {
            status: error.status!,
            headers: { 'content-type': 'text/plain; charset=utf-8', [CHAOS_RULE_HEADER]: decision.rule },
          });
        }
        if (error instanceof InjectedFaultError) throw new TypeError('fetch failed', { cause: error });
        throw error;
      },
    );
  };
}
