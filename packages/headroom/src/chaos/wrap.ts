/**
 * `withFaults`: wraps any async function so each call passes through a {@link FaultInjector}.
 * When no fault fires the only cost is one decision (see bench/chaos/wrapper.bench.ts).
 */
import type { FaultInjector } from './injector.js';

/** Options of {@link withFaults}. */
export interface WithFaultsOptions<A extends unknown[]> {
  /** The key a call is selected by (a cache key, a tenant, a route). Default: the first argument when it is a string. */
  readonly key?: (...args: A) => string | undefined;
  /** The call's abort signal, which ends injected delays and hangs. Default: none. */
  readonly signal?: (...args: A) => AbortSignal | undefined;
}

/**
 * Returns `fn` with faults injected before each call.
 * @example
 * ```ts
 * const getUser = withFaults(loadUser, chaos, { key: (id) => `user:${id}` });
 * ```
 */
export function withFaults<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  injector: FaultInjector,
  options: WithFaultsOptions<A> = {},
): (...args: A) => Promise<R> {
  const keyOf = options.key ?? ((...args: A) => (typeof args[0] === 'string' ? args[0] : undefined));
  const signalOf = options.signal;
  return (...args: A): Promise<R> => {
    const decision = injector.decide(keyOf(...args));
    if (decision === undefined) return fn(...args);
    return injector.apply(decision, signalOf?.(...args)).then(() => fn(...args));
  };
}
